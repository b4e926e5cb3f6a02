/** A parsed RFC 822 / MIME message, as the email feature families see it. */
export interface ParsedEmail {
  /** All headers in order, name lower-cased, value unfolded and RFC 2047-decoded. */
  readonly headers: ReadonlyArray<{ readonly name: string; readonly value: string }>;
  readonly subject: string;
  readonly from: string;
  readonly to: string;
  /** Raw Date header value, or null when missing. */
  readonly date: string | null;
  readonly messageId: string | null;
  /** Body text: decoded text/plain parts, plus text/html parts converted to text, joined by "\n". */
  readonly text: string;
  /** Raw decoded HTML of the text/html parts joined by "\n", or null when there is none. */
  readonly html: string | null;
  /** Links found in the HTML (<a href>) and bare URLs in the text parts, in order. */
  readonly links: ReadonlyArray<{ readonly href: string; readonly text: string }>;
  /** Non-text leaf parts. */
  readonly attachments: ReadonlyArray<{
    readonly contentType: string;
    readonly filename: string | null;
    readonly size: number;
  }>;
  /** MIME type of every leaf part, in order (e.g. ["text/plain", "text/html"]). */
  readonly partTypes: readonly string[];
  /** What the parser had to repair or ignore (bad base64, unknown charset, missing boundary…). Never thrown. */
  readonly warnings: readonly string[];
}
