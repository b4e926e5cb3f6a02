/**
 * Email parser on hand-written messages. Expected values are worked out by hand from the RFCs
 * (base64 payloads were produced with Python: base64.b64encode("Grüße aus Köln".encode("latin-1")) etc.).
 */
import { describe, expect, it } from "vitest";
import { parseEmail } from "../../src/data/email/parse.js";
import { decodeEntities } from "../../src/data/email/entities.js";

const lf = (lines: string[]): string => lines.join("\n");

describe("parseEmail: structure", () => {
  it("multipart/alternative keeps both parts, html as text and raw", () => {
    const e = parseEmail(
      lf([
        "From: Alice <alice@example.com>",
        "To: bob@example.com",
        "Subject: Hello",
        "Date: Tue, 6 Aug 2002 11:51:02 +0100",
        "Message-ID: <1@example.com>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/alternative; boundary="XYZ"',
        "",
        "preamble is ignored",
        "--XYZ",
        "Content-Type: text/plain; charset=us-ascii",
        "",
        "Hello world",
        "--XYZ",
        "Content-Type: text/html",
        "",
        "<p>Hello <b>world</b></p>",
        "--XYZ--",
        "epilogue is ignored",
      ]),
    );
    expect(e.subject).toBe("Hello");
    expect(e.from).toBe("Alice <alice@example.com>");
    expect(e.to).toBe("bob@example.com");
    expect(e.date).toBe("Tue, 6 Aug 2002 11:51:02 +0100");
    expect(e.messageId).toBe("<1@example.com>");
    expect(e.text).toBe("Hello world\nHello world");
    expect(e.html).toBe("<p>Hello <b>world</b></p>");
    expect(e.partTypes).toEqual(["text/plain", "text/html"]);
    expect(e.attachments).toEqual([]);
    expect(e.warnings).toEqual([]);
    expect(e.headers.map((h) => h.name)).toEqual([
      "from",
      "to",
      "subject",
      "date",
      "message-id",
      "mime-version",
      "content-type",
    ]);
  });

  it("nested multipart with an attachment and a message/rfc822 part", () => {
    const e = parseEmail(
      lf([
        "Subject: nested",
        'Content-Type: multipart/mixed; boundary="outer"',
        "",
        "--outer",
        'Content-Type: multipart/alternative; boundary="outer-inner"',
        "",
        "--outer-inner",
        "Content-Type: text/plain",
        "",
        "plain body",
        "--outer-inner",
        "Content-Type: text/html",
        "",
        "<div>html body</div>",
        "--outer-inner--",
        "",
        "--outer",
        'Content-Type: application/pdf; name="ignored.pdf"',
        'Content-Disposition: attachment; filename="report.pdf"',
        "Content-Transfer-Encoding: base64",
        "",
        "JVBERi0xLjQK",
        "--outer",
        "Content-Type: message/rfc822",
        "",
        "Subject: forwarded",
        "",
        "forwarded text",
        "--outer",
        "Content-Type: application/octet-stream",
        "Content-Disposition: attachment; filename*=utf-8''na%C3%AFve.bin",
        "",
        "abc",
        "--outer--",
      ]),
    );
    expect(e.text).toBe("plain body\nhtml body\nforwarded text");
    expect(e.partTypes).toEqual([
      "text/plain",
      "text/html",
      "application/pdf",
      "text/plain",
      "application/octet-stream",
    ]);
    expect(e.attachments).toEqual([
      { contentType: "application/pdf", filename: "report.pdf", size: 9 },
      { contentType: "application/octet-stream", filename: "naïve.bin", size: 3 },
    ]);
    expect(e.subject).toBe("nested");
    expect(e.warnings).toEqual([]);
  });

  it("accepts an mbox From_ line and CRLF line endings", () => {
    const e = parseEmail(
      "From someone@example.com  Tue Aug  6 11:51:02 2002\r\nSubject: crlf\r\nX-Folded: one\r\n two\r\n\r\nline 1\r\nline 2\r\n",
    );
    expect(e.subject).toBe("crlf");
    expect(e.headers).toEqual([
      { name: "subject", value: "crlf" },
      { name: "x-folded", value: "one two" },
    ]);
    expect(e.text).toBe("line 1\nline 2\n");
    expect(e.warnings).toEqual([]);
  });

  it("unfolds folded headers (each fold becomes one space)", () => {
    const e = parseEmail("Subject: a long\n\tfolded\n    subject\nTo: x@y.z\n\nbody");
    expect(e.subject).toBe("a long folded subject");
    expect(e.to).toBe("x@y.z");
    expect(e.text).toBe("body");
  });
});

describe("parseEmail: transfer encodings and charsets", () => {
  it("quoted-printable with soft line breaks and =XX in utf-8", () => {
    const e = parseEmail(
      lf([
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Caf=C3=A9 au lait, a long line=",
        " continues here =3D done=20",
        "stray = stays",
      ]),
    );
    expect(e.text).toBe("Café au lait, a long line continues here = done \nstray = stays");
    expect(e.warnings).toEqual([]);
  });

  it("quoted-printable in iso-8859-1, bytes 0x80-0x9F as windows-1252 (as WHATWG and mail readers do)", () => {
    const e = parseEmail(
      lf([
        "Content-Type: text/plain; charset=ISO-8859-1",
        "Content-Transfer-Encoding: quoted-printable",
        "",
        "Caf=E9 =93quoted=94 =96 =80",
      ]),
    );
    // Python: b"\x93quoted\x94 \x96 \x80".decode("cp1252") == "“quoted” – €"
    expect(e.text).toBe("Café “quoted” – €");
  });

  it.each([
    ["iso-8859-1", "R3L832UgYXVzIEv2bG4=", "Grüße aus Köln"],
    ['"koi8-r"', "8NLJ18XULCDNydI=", "Привет, мир"],
    ["windows-1251", "x+Tw4OLx8uLz6fLl", "Здравствуйте"],
  ])("base64 in charset %s", (charset, b64, expected) => {
    const e = parseEmail(
      lf([`Content-Type: text/plain; charset=${charset}`, "Content-Transfer-Encoding: base64", "", b64]),
    );
    expect(e.text).toBe(expected);
    expect(e.warnings).toEqual([]);
  });

  it("unknown charset falls back to latin-1 with a warning", () => {
    const e = parseEmail(
      lf([
        'Content-Type: multipart/mixed; boundary="b"',
        "",
        "--b",
        "Content-Type: text/plain; charset=x-no-such-charset",
        "Content-Transfer-Encoding: base64",
        "",
        "R3L832UgYXVzIEv2bG4=",
        "--b--",
      ]),
    );
    expect(e.text).toBe("Grüße aus Köln");
    expect(e.warnings).toEqual(['part 1: unknown charset "x-no-such-charset"; decoded as latin-1']);
  });

  it("RFC 2047 encoded-words: B and Q, adjacent words joined, split multi-byte character", () => {
    const e = parseEmail(
      lf([
        "Subject: =?utf-8?B?4pyTIERvbmU=?= and =?iso-8859-1?Q?Gr=FC=DFe_aus_K=F6ln?=",
        "From: =?koi8-r?B?9MXT1A==?= <test@example.ru>",
        "To: =?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?= <c@example.com>",
        "",
        "x",
      ]),
    );
    expect(e.subject).toBe("✓ Done and Grüße aus Köln");
    expect(e.from).toBe("Тест <test@example.ru>");
    expect(e.to).toBe("café <c@example.com>");
    expect(e.warnings).toEqual([]);
  });
});

describe("parseEmail: HTML", () => {
  it("drops script, style and comments, decodes entities, collects links", () => {
    const html = lf([
      '<html><head><style>p {color: red}</style><script>alert("x")</script></head>',
      "<body><p>Fish &amp; Chips &eacute;t&eacute; &#8364;5 &#x41;&lt;b&gt;</p>",
      "<!-- hidden comment -->",
      "<a href=\"http://example.com/a?x=1&amp;y=2\">Click <b>here</b></a> and <a href='https://b.example/'>b</a>",
      "</body></html>",
    ]);
    const e = parseEmail(lf(["Content-Type: text/html; charset=utf-8", "", html]));
    expect(e.text).toBe("Fish & Chips été €5 A<b>\nClick here and b");
    expect(e.html).toBe(html);
    expect(e.links).toEqual([
      { href: "http://example.com/a?x=1&y=2", text: "Click here" },
      { href: "https://b.example/", text: "b" },
    ]);
  });

  it("bare URLs in text parts become links", () => {
    const e = parseEmail("Subject: u\n\nSee http://example.com/path. Or www.test.org, ok");
    expect(e.links).toEqual([
      { href: "http://example.com/path", text: "http://example.com/path" },
      { href: "www.test.org", text: "www.test.org" },
    ]);
  });

  it("decodeEntities: numeric 128–159 via windows-1252, unknown names kept, legacy no-semicolon", () => {
    expect(decodeEntities("a&#150;b &bogus; AT&T &amp &copy2")).toBe("a–b &bogus; AT&T & &copy2");
  });
});

describe("parseEmail: malformed input never throws", () => {
  it("multipart without boundary parameter is read as text", () => {
    const e = parseEmail("Content-Type: multipart/mixed\n\njust text");
    expect(e.text).toBe("just text");
    expect(e.partTypes).toEqual(["text/plain"]);
    expect(e.warnings).toEqual(["multipart/mixed has no boundary parameter; its body is read as text/plain"]);
  });

  it("boundary declared but absent from the body", () => {
    const e = parseEmail('Content-Type: multipart/alternative; boundary="zz"\n\nno parts here');
    expect(e.text).toBe("no parts here");
    expect(e.warnings).toEqual([
      'multipart/alternative boundary "zz" not found in the body; the body is read as text/plain',
    ]);
  });

  it("missing closing boundary keeps the last part", () => {
    const e = parseEmail('Content-Type: multipart/mixed; boundary="q"\n\n--q\n\nfirst\n--q\n\nsecond, cut off');
    expect(e.text).toBe("first\nsecond, cut off");
    expect(e.warnings).toEqual(['multipart/mixed has no closing boundary "--q--" (truncated?)']);
  });

  it("truncated base64 decodes what it can", () => {
    const e = parseEmail("Content-Transfer-Encoding: base64\n\nSGVsbG8sIHdvcmxkI");
    expect(e.text).toBe("Hello, world");
    expect(e.warnings).toEqual(["base64 truncated: the last group has 1 character of 4; 12 bytes decoded"]);
  });

  it("no blank line between headers and body", () => {
    const e = parseEmail("Subject: hi\nFrom: a@b.c\nThis is the body\nmore");
    expect(e.subject).toBe("hi");
    expect(e.from).toBe("a@b.c");
    expect(e.text).toBe("This is the body\nmore");
    expect(e.warnings).toEqual(["no blank line between headers and body (line 3 is not a header)"]);
  });

  it("headers only, no body", () => {
    const e = parseEmail("Subject: only headers");
    expect(e.subject).toBe("only headers");
    expect(e.text).toBe("");
    expect(e.warnings).toEqual(["no blank line after the headers; the message has no body"]);
  });

  it("empty message", () => {
    const e = parseEmail("");
    expect(e).toEqual({
      headers: [],
      subject: "",
      from: "",
      to: "",
      date: null,
      messageId: null,
      text: "",
      html: null,
      links: [],
      attachments: [],
      partTypes: [],
      warnings: ["empty message"],
    });
  });

  it("garbage without headers is read as body", () => {
    const e = parseEmail("\u0001\u0002 <<<garbage>>> ===\n=?=?");
    expect(e.headers).toEqual([]);
    expect(e.text).toBe("\u0001\u0002 <<<garbage>>> ===\n=?=?");
    expect(e.warnings).toEqual(["the message does not start with headers; all of it is read as body"]);
  });

  it("invalid Content-Type is read as text/plain", () => {
    const e = parseEmail("Content-Type: garbage\n\nbody");
    expect(e.text).toBe("body");
    expect(e.warnings).toEqual(['invalid Content-Type "garbage"; read as text/plain']);
  });

  it("warnings are capped at 50 per message", () => {
    const lines = ['Content-Type: multipart/mixed; boundary="b"', ""];
    for (let i = 0; i < 60; i++) lines.push("--b", "Content-Type: nonsense", "", `p${i}`);
    lines.push("--b--");
    const e = parseEmail(lines.join("\n"));
    expect(e.warnings).toHaveLength(51);
    expect(e.warnings[0]).toBe('part 1: invalid Content-Type "nonsense"; read as text/plain');
    expect(e.warnings[49]).toBe('part 50: invalid Content-Type "nonsense"; read as text/plain');
    expect(e.warnings[50]).toBe("… and 10 more warnings");
    expect(e.text.split("\n")).toHaveLength(60);
  });

  it("deep nesting stops with a warning instead of overflowing the stack", () => {
    const depth = 40;
    const lines: string[] = [];
    for (let d = 0; d < depth; d++) lines.push(`Content-Type: multipart/mixed; boundary="b${d}"`, "", `--b${d}`);
    lines.push("Content-Type: text/plain", "", "deep");
    const e = parseEmail(lines.join("\n"));
    expect(e.text).toBe("");
    expect(e.warnings.some((w) => w.endsWith("MIME nesting deeper than 32; the rest is ignored"))).toBe(true);
  });
});
