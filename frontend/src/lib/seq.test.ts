import { describe, expect, it } from "vitest";
import { checkSeq, SeqTracker } from "./seq";

describe("checkSeq", () => {
  it("accepts the next seq", () => expect(checkSeq(4, 5)).toBe("next"));
  it("sees a gap", () => expect(checkSeq(4, 6)).toBe("gap"));
  it("drops what was seen", () => {
    expect(checkSeq(4, 4)).toBe("duplicate");
    expect(checkSeq(4, 1)).toBe("duplicate");
  });
  it("starts at 0: the first event is 1", () => {
    expect(checkSeq(0, 1)).toBe("next");
    expect(checkSeq(0, 2)).toBe("gap");
  });
});

describe("SeqTracker", () => {
  it("advances only on the next seq", () => {
    const t = new SeqTracker();
    expect(t.accept(1)).toBe("next");
    expect(t.accept(2)).toBe("next");
    expect(t.accept(2)).toBe("duplicate");
    expect(t.accept(5)).toBe("gap");
    expect(t.last).toBe(2);
    expect(t.accept(3)).toBe("next");
  });
  it("resumes after a given seq", () => {
    const t = new SeqTracker(10);
    expect(t.accept(11)).toBe("next");
  });
});
