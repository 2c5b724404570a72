// Read an automaton in JSON format 2 without ltlguard: follow one state's decision diagram to the
// target state. Here the JSON comes from the library (what `ltlguard compile --format json` writes).
import { compileFormula, dfaToJson, parseFormula } from "ltlguard";

const json = dfaToJson(compileFormula(parseFormula("G(request -> F grant)"), { atoms: ["request", "grant"] }));

function step(s, holds) {
  let r = json.next[s];
  while (r >= 0) {
    const [atom, low, high] = json.nodes[r];
    r = holds(atom) ? high : low; // holds(i): does atom i hold in the letter?
  }
  return -r - 1; // the target state
}

let state = json.initial;
for (const letter of [["request"], [], ["grant"]]) {
  state = step(state, (atom) => letter.includes(json.atoms[atom]));
  console.log(`{${letter.join(", ")}} -> state ${state}${json.accepting.includes(state) ? " (accepting)" : ""}`);
}
