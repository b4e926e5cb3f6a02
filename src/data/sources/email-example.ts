/** A parsed message as an Example: the text fields every email source provides. */
import type { ParsedEmail } from "../email/types.js";
import type { Example } from "../example.js";

export const EMAIL_TEXT_FIELDS = ["subject", "body", "from", "to", "headers", "raw"] as const;

/** Examples made here, exactly as made (they are frozen by type, and spreads make new objects). */
const madeHere = new WeakSet<Example>();

/** True for an example built by `emailExample` (its text fields are derived from `email` and `raw`). */
export function isMadeByEmailExample(ex: Example): boolean {
  return madeHere.has(ex);
}

export function emailExample(
  id: string,
  label: string,
  group: string | null,
  raw: string,
  email: ParsedEmail,
  contentHash: string,
): Example {
  let headers = "";
  for (const h of email.headers) headers += (headers === "" ? "" : "\n") + h.name + ": " + h.value;
  const ex: Example = {
    id,
    label,
    group,
    text: { subject: email.subject, body: email.text, from: email.from, to: email.to, headers, raw },
    numeric: {},
    categorical: {},
    email,
    contentHash,
  };
  madeHere.add(ex);
  return ex;
}
