// An environment module for `ltlguard bench --env-module examples/search-maze.ts`: walk a grid maze
// from S to G. The environment is pure (reversible), and `text` is what model-backed roles read.
import type { Environment, EnvironmentModule, Task, Trajectory } from "ltlguard/search";

type Cell = { readonly row: number; readonly col: number };
type Move = "up" | "down" | "left" | "right";
const MOVES: Record<Move, readonly [number, number]> = { up: [-1, 0], down: [1, 0], left: [0, -1], right: [0, 1] };

export function mazeTask(id: string, rows: readonly string[]): Task<Cell, Move> {
  const find = (mark: string): Cell => {
    const row = rows.findIndex((line) => line.includes(mark));
    return { row, col: rows[row]!.indexOf(mark) };
  };
  const start = find("S");
  const goal = find("G");
  const after = (cell: Cell, move: Move): Cell => ({ row: cell.row + MOVES[move][0], col: cell.col + MOVES[move][1] });
  const open = (cell: Cell): boolean => (rows[cell.row]?.[cell.col] ?? "#") !== "#";
  const atGoal = (cell: Cell): boolean => cell.row === goal.row && cell.col === goal.col;
  const environment: Environment<Cell, Move> = {
    name: "maze",
    reversible: true,
    initial: () => start,
    legalActions: (cell) => (atGoal(cell) ? [] : (Object.keys(MOVES) as Move[]).filter((move) => open(after(cell, move)))),
    step: async (cell, move) => {
      const next = after(cell, move);
      return { state: next, done: atGoal(next), observation: `now at row ${next.row}, column ${next.col}` };
    },
    stateKey: (cell) => `${cell.row},${cell.col}`,
    actionKey: (move) => move,
    describe: (move) => move,
    text: {
      task: () => `Walk from S to G through this maze (# is a wall), one step up, down, left or right at a time:\n${rows.join("\n")}`,
      state: (cell) => `At row ${cell.row}, column ${cell.col}; open directions: ${environment.legalActions(cell).join(", ") || "none"}.`,
      action: (move) => move,
      parseState: (description) => {
        const match = /row (\d+), column (\d+)/.exec(description);
        return match === null ? undefined : { row: Number(match[1]), col: Number(match[2]) };
      },
    },
  };
  return { id, environment, judge: (cell) => ({ success: atGoal(cell), score: atGoal(cell) ? 1 : 0 }) };
}

const MAZES = [
  ["#######", "#S..#.#", "#.#.#.#", "#.#...#", "#.###G#", "#######"],
  ["#######", "#S....#", "####.##", "#G...##", "#######"],
  ["######", "#S#G.#", "#.##.#", "#....#", "######"],
];

/**
 * Without a model: a uniform policy over the open directions and a value that knows only how far
 * the walk got. Each charges one call per use, so budgets count them as they would a model's.
 */
const maze: EnvironmentModule<Cell, Move> = {
  name: "maze",
  description: "walk a small grid maze from S to G",
  tasks: () => MAZES.map((rows, i) => mazeTask(`maze-${i + 1}`, rows)),
  policy: (task) => ({
    name: "uniform-moves",
    propose: async (cell, k, budget) => {
      budget.charge("policy", { calls: 1 });
      const moves = task.environment.legalActions(cell);
      return moves.slice(0, k).map((action) => ({ action, frequency: 1 / moves.length }));
    },
  }),
  value: () => ({
    name: "progress",
    score: async (trajectory: Trajectory<Cell, Move>, budget) => {
      budget.charge("value", { calls: 1 });
      return Math.min(1, trajectory.actions.length / 10);
    },
  }),
};
export default maze;
