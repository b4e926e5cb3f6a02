import { describe, expect, it } from "vitest";
import { parseColor } from "../../src/features/html.js";
import { fired, mail, signalsOfOne } from "./email-helpers.js";

const TEXT = "Dear Bob, the quarterly report is attached and the meeting moved to Monday afternoon. ".repeat(6);

/** An HTML-only message with `inner` inside <body> (and the attributes given to <body>). */
function html(inner: string, bodyAttrs = ""): ReturnType<typeof mail> {
  return mail({
    set: { "Content-Type": "text/html; charset=us-ascii" },
    body: `<html><body${bodyAttrs}>${inner}</body></html>\n`,
  });
}

/** The same HTML as the second part of a multipart/alternative message with a text/plain part. */
function alternative(inner: string): ReturnType<typeof mail> {
  return mail({
    set: { "Content-Type": 'multipart/alternative; boundary="b1"' },
    body: [
      "--b1",
      "Content-Type: text/plain",
      "",
      TEXT,
      "--b1",
      "Content-Type: text/html",
      "",
      `<html><body>${inner}</body></html>`,
      "--b1--",
      "",
    ].join("\n"),
  });
}

describe("parseColor", () => {
  it("reads hex (3 and 6 digits, with or without #), rgb() and named colours", () => {
    expect(parseColor("#FFFFFF")).toBe(0xffffff);
    expect(parseColor("fefefe")).toBe(0xfefefe);
    expect(parseColor("#fff")).toBe(0xffffff);
    expect(parseColor("rgb(255, 0, 16)")).toBe(0xff0010);
    expect(parseColor("White")).toBe(0xffffff);
    expect(parseColor('"navy"')).toBe(0x000080);
    expect(parseColor("url(x.gif)")).toBe(-1);
  });
});

describe("html family", () => {
  it("a plain-text message fires nothing", () => {
    expect(signalsOfOne("html", mail())).toEqual({});
  });

  it("a simple HTML part next to a text part: has_html and the text/markup ratio only", () => {
    const s = signalsOfOne("html", alternative(`<p>${TEXT}</p>`));
    expect(Object.keys(s).sort()).toEqual(["has_html", "text_html_ratio"]);
    expect(s.text_html_ratio).toBeGreaterThan(0.9);
  });

  it("html_only: HTML and no text/plain part", () => {
    expect(fired("html", html(`<p>${TEXT}</p>`))).toEqual(["has_html", "html_only", "text_html_ratio"]);
  });

  it("text_html_ratio is low for a message that is mostly markup", () => {
    const markup = `<table><tr><td><font face="Arial" size="2" color="#000000"><b>Hi</b></font></td></tr></table>`;
    expect(signalsOfOne("html", html(markup.repeat(5))).text_html_ratio).toBeLessThan(0.1);
  });

  it("images, remote_images and the image-with-little-text bands", () => {
    const s = signalsOfOne("html", html(`<img src="http://img.example.net/a.gif"><img src="cid:part1"><p>Buy</p>`));
    expect([s.images, s.remote_images, s.img_text_lt400, s.img_text_400_1200]).toEqual([
      Math.log1p(2),
      Math.log1p(1),
      1,
      undefined,
    ]);
    const mid = signalsOfOne("html", html(`<img src="http://img.example.net/a.gif"><p>${TEXT}</p>`));
    expect([mid.img_text_lt400, mid.img_text_400_1200]).toEqual([undefined, 1]);
    const long = signalsOfOne("html", html(`<img src="x.gif"><p>${TEXT.repeat(3)}</p>`));
    expect([long.img_text_lt400, long.img_text_400_1200, long.remote_images]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });

  const cases: Array<[string, string, string?]> = [
    ["hidden_text", `<p>${TEXT}</p><div style="display: none">random words to fool filters</div>`],
    ["hidden_text", `<p>${TEXT}</p><span style="visibility:hidden">x</span>`],
    ["tiny_text", `<p>${TEXT}</p><p style="font-size:1px">random words</p>`],
    ["low_contrast", `<p>${TEXT}</p><font color="#fefefe">random words</font>`],
    ["low_contrast", `<p>${TEXT}</p><p style="color: #000001">random words</p>`, ' bgcolor="black"'],
    ["comment_in_word", `<p>${TEXT} Vi<!-- x -->agra</p>`],
    ["letter_entities", `<p>${TEXT} &#86;&#105;&#x61;gra</p>`],
    ["form", `<form action="http://x.example.net/cgi"><input name="cc"></form><p>${TEXT}</p>`],
    ["script", `<script>window.status='x'</script><p>${TEXT}</p>`],
    ["iframe", `<iframe src="http://x.example.net/"></iframe><p>${TEXT}</p>`],
    ["event_handler", `<a href="http://x.example.net/" onmouseover="window.status='paypal.com'">go</a><p>${TEXT}</p>`],
  ];
  for (const [signal, inner, bodyAttrs] of cases) {
    it(`${signal} fires on a message built to show it`, () => {
      expect(fired("html", html(inner, bodyAttrs))).toContain(signal);
    });
  }

  it("stays silent on the near misses", () => {
    const silent: Array<[string, string, string, string?]> = [
      ["tiny_text", `<p style="font-size: 12px">${TEXT}</p>`, "readable size"],
      ["low_contrast", `<font color="#000000">${TEXT}</font>`, "black on white"],
      [
        "low_contrast",
        `<table bgcolor="#003366"><tr><td><font color="#ffffff">${TEXT}</font></td></tr></table>`,
        "white on a dark table: a normal newsletter",
      ],
      ["comment_in_word", `<p>${TEXT}</p> <!-- footer -->`, "a comment between words"],
      ["letter_entities", `<p>${TEXT} &#169; 2002 &#160;</p>`, "entities for symbols"],
      ["event_handler", `<p>${TEXT} online=yes</p>`, "text, not an attribute"],
    ];
    for (const [signal, inner, why, attrs] of silent)
      expect(fired("html", html(inner, attrs)), why).not.toContain(signal);
  });
});
