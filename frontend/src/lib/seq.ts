// The run stream is gap-free by `seq`: each event is the last one plus 1. This says what a new seq means.

/** `next`: the expected one; `duplicate`: already seen (drop it); `gap`: some were missed (replay from `last`). */
export type SeqVerdict = "next" | "duplicate" | "gap";

export function checkSeq(last: number, seq: number): SeqVerdict {
  if (seq === last + 1) return "next";
  return seq <= last ? "duplicate" : "gap";
}

/** The last seq applied; `accept` advances it only on the expected next one. */
export class SeqTracker {
  constructor(public last = 0) {}

  accept(seq: number): SeqVerdict {
    const verdict = checkSeq(this.last, seq);
    if (verdict === "next") this.last = seq;
    return verdict;
  }
}
