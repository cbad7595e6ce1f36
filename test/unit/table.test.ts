import { describe, expect, it } from "vitest";
import { applyTones, toned, verdictTone, wantsColour } from "../../src/render/style.js";
import { type Column, fitTable, joinFitting, outputWidth, wrapText } from "../../src/render/table.js";

type Row = { uid: number; repo: string; note: string; extra: string };
const rows: Row[] = [
  { uid: 1, repo: "alice/a-very-long-repository-name-indeed", note: "scored", extra: "x".repeat(12) },
  { uid: 22, repo: "bob/short", note: "queued #1", extra: "y".repeat(12) },
];
const columns: Column<Row>[] = [
  { header: "uid", value: (r) => String(r.uid), align: "right" },
  { header: "repo", value: (r) => r.repo, shrink: 10 },
  { header: "note", value: (r) => r.note, tone: (r) => verdictTone(r.note) },
  { header: "extra", value: (r) => r.extra, drop: 1 },
];
const widest = (text: string) => Math.max(...text.split("\n").map((l) => applyTones(l, false).length));

describe("tables that fit a width", () => {
  it.each([
    // width, widest line, dropped
    [200, 70, []],
    [70, 70, []],
    [50, 50, []],
    // Cutting the repo to its floor is enough: nothing is left out.
    [40, 40, []],
    [30, 30, ["extra"]],
    // Below every floor: as narrow as the floors allow, never a column cut further.
    [20, 26, ["extra"]],
  ])("at %i columns: lines of at most %i, %j left out", (width, most, dropped) => {
    const fitted = fitTable(columns, rows, { width });
    expect(widest(fitted.text)).toBe(most);
    expect(fitted.dropped).toEqual(dropped);
  });

  it("cuts with an ellipsis and never below a column's floor; without a width nothing is cut", () => {
    const fitted = fitTable(columns, rows, { width: 20 });
    expect(fitted.text).toContain("alice/a-v…");
    expect(fitted.dropped).toEqual(["extra"]);
    expect(fitTable(columns, rows).text).toContain("alice/a-very-long-repository-name-indeed");
  });

  it("colours a cell after padding it: widths do not count the markers, and plain output has none", () => {
    const text = fitTable(columns, rows).text;
    expect(applyTones(text, false)).not.toMatch(/[\u{e000}\u{e001}]/u);
    const coloured = applyTones(text, true);
    expect(coloured).toContain("\x1b[32mscored   \x1b[0m");
    expect(coloured).toContain("\x1b[33mqueued #1\x1b[0m");
    expect(
      applyTones(text, false)
        .split("\n")
        .map((l) => l.length),
    ).toEqual(
      fitTable(
        columns.map((c) => ({ ...c, tone: undefined })),
        rows,
      )
        .text.split("\n")
        .map((l) => l.length),
    );
  });

  it("a marker smuggled into a stranger's text can only become a colour, or nothing", () => {
    const hostile = `${toned("FAIL", "bad")}\u{e000}zz\u{e001}\u{e000}`;
    expect(applyTones(hostile, false)).toBe("FAILzz");
    expect(applyTones(hostile, true)).toBe("\x1b[31mFAIL\x1b[0mzz");
  });

  it.each([
    [{ isTTY: true }, {}, true],
    [{ isTTY: true }, { NO_COLOR: "1" }, false],
    [{ isTTY: true }, { NO_COLOR: "" }, true],
    [{ isTTY: true }, { TERM: "dumb" }, false],
    [{ isTTY: false }, {}, false],
  ])("colour for %j with %j: %s", (out, env, expected) => {
    expect(wantsColour(out, env)).toBe(expected);
  });

  it.each([
    [{ isTTY: true, columns: 200 }, 200],
    [{ isTTY: true, columns: 60 }, 80],
    [{ isTTY: false, columns: 200 }, 80],
    [{}, 80],
  ])("output width of %j is %i", (out, width) => {
    expect(outputWidth(out)).toBe(width);
  });

  it("joins facts with ' · ' and wraps words without passing the width", () => {
    expect(joinFitting(["netuid 11", "block 5000000", "17 uids", "tempo 360"], 30)).toBe(
      "netuid 11 · block 5000000\n17 uids · tempo 360",
    );
    expect(wrapText("one two three four five", 9, "  ")).toBe("one two\n  three\n  four\n  five");
  });
});
