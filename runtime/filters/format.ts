import { parseReAct } from "../agent/parse.ts";
import { isTrainedOn } from "../data/record.ts";
import { episodeTurns, type RecordFilter } from "./types.ts";

/** Keep trajectories whose every trained-on reply is a well-formed "Thought: … Action: …". */
export function formatFilter(): RecordFilter {
  return {
    label: "format valid",
    check(record) {
      const turns = episodeTurns(record).filter((turn) => turn.from === "gpt" && isTrainedOn(turn));
      const bad = turns.findIndex((turn) => !parseReAct(turn.value).ok);
      return bad === -1 ? undefined : `reply ${bad + 1} is not in Thought/Action format`;
    },
  };
}
