/**
 * A multi-modal agent: the world is only visible as a picture. Every observation carries a small
 * RGB image of a grid (white: you, red: the goal, black: walls, gray: floor) alongside text that
 * never says where anything is. The agent moves up, down, left or right until it stands on red.
 *
 * Try it: atune env play ./examples/envs/grid.ts#gridEnv   (the terminal shows the image as text)
 */
import type {
  Environment,
  EnvTask,
  ExampleTrajectory,
  ExpertPolicy,
  PixelImage,
} from "../../runtime/env/types.ts";
import { generatedTasks, invalid, memoryEpisode, type Outcome, parseAction, type Rng } from "./kit.ts";

/** Pixels per cell side in the rendered image. */
export const CELL = 4;

type Point = { x: number; y: number };

interface GridData {
  width: number;
  height: number;
  /** Row strings: "#" wall, "." floor. */
  rows: string[];
  start: Point;
  goal: Point;
}

const colours = {
  floor: [128, 128, 128],
  wall: [0, 0, 0],
  agent: [255, 255, 255],
  goal: [255, 0, 0],
} as const;

export function renderGrid(data: GridData, agent: Point): PixelImage {
  const width = data.width * CELL;
  const height = data.height * CELL;
  const pixels: number[] = new Array(width * height * 3);
  for (let py = 0; py < height; py++) {
    for (let px = 0; px < width; px++) {
      const x = Math.floor(px / CELL);
      const y = Math.floor(py / CELL);
      const colour =
        x === agent.x && y === agent.y
          ? colours.agent
          : x === data.goal.x && y === data.goal.y
            ? colours.goal
            : data.rows[y][x] === "#"
              ? colours.wall
              : colours.floor;
      pixels.splice((py * width + px) * 3, 3, ...colour);
    }
  }
  return { width, height, channels: 3, pixels };
}

const moves: Record<string, Point> = {
  up: { x: 0, y: -1 },
  down: { x: 0, y: 1 },
  left: { x: -1, y: 0 },
  right: { x: 1, y: 0 },
};

/** Shortest path of moves over non-wall cells (breadth-first), or undefined when the goal is cut off. */
function shortestPath(
  isWall: (p: Point) => boolean,
  width: number,
  height: number,
  from: Point,
  to: Point,
): string[] | undefined {
  const key = (p: Point) => p.y * width + p.x;
  const previous = new Map<number, { from: Point; move: string }>();
  const queue: Point[] = [from];
  const seen = new Set([key(from)]);
  while (queue.length > 0) {
    const here = queue.shift()!;
    if (here.x === to.x && here.y === to.y) {
      const path: string[] = [];
      for (let p = here; key(p) !== key(from); ) {
        const link = previous.get(key(p))!;
        path.unshift(link.move);
        p = link.from;
      }
      return path;
    }
    for (const [name, d] of Object.entries(moves)) {
      const next = { x: here.x + d.x, y: here.y + d.y };
      if (next.x < 0 || next.y < 0 || next.x >= width || next.y >= height) continue;
      if (isWall(next) || seen.has(key(next))) continue;
      seen.add(key(next));
      previous.set(key(next), { from: here, move: name });
      queue.push(next);
    }
  }
  return undefined;
}

function makeTask(rng: Rng): { instruction: string; data: GridData } {
  for (;;) {
    const width = rng.int(5, 8);
    const height = rng.int(5, 8);
    const rows = Array.from({ length: height }, () =>
      Array.from({ length: width }, () => (rng.next() < 0.2 ? "#" : ".")).join(""),
    );
    const cell = () => ({ x: rng.int(0, width - 1), y: rng.int(0, height - 1) });
    const start = cell();
    const goal = cell();
    const open = (p: Point) => rows[p.y][p.x] === ".";
    if (!open(start) || !open(goal) || Math.abs(start.x - goal.x) + Math.abs(start.y - goal.y) < 2) continue;
    if (!shortestPath((p) => rows[p.y][p.x] === "#", width, height, start, goal)) continue;
    return {
      instruction: "Move onto the red cell of the grid in the image.",
      data: { width, height, rows, start, goal },
    };
  }
}

const LEGEND = `The image shows the grid (${CELL}x${CELL} pixels per cell): white is you, red is the goal, black cells are walls, gray is floor.`;
const ACCEPTED = 'Use "move: up", "move: down", "move: left" or "move: right".';

function open(task: EnvTask) {
  const data = task.data as GridData;
  return memoryEpisode(
    () => ({ state: { ...data.start }, observation: LEGEND, image: renderGrid(data, data.start) }),
    (agent, action): Outcome => {
      const { verb, argument } = parseAction(action);
      const d = moves[argument.toLowerCase()];
      if (verb !== "move" || !d) return invalid(action, ACCEPTED);
      const next = { x: agent.x + d.x, y: agent.y + d.y };
      if (next.x < 0 || next.y < 0 || next.x >= data.width || next.y >= data.height) {
        return { observation: "The edge of the grid is in the way.", image: renderGrid(data, agent) };
      }
      if (data.rows[next.y][next.x] === "#")
        return { observation: "A wall is in the way.", image: renderGrid(data, agent) };
      agent.x = next.x;
      agent.y = next.y;
      const image = renderGrid(data, agent);
      if (agent.x === data.goal.x && agent.y === data.goal.y) {
        return { observation: "You reached the red cell.", image, done: true, reward: 1, success: true };
      }
      return { observation: `You moved ${argument.toLowerCase()}.`, image };
    },
    () => Object.keys(moves).map((name) => `move: ${name}`),
  );
}

/** Reads a cell's colour from the centre pixel of its square. */
function cellColour(image: PixelImage, p: Point): string {
  const px = p.x * CELL + CELL / 2;
  const py = p.y * CELL + CELL / 2;
  const i = (py * image.width + px) * 3;
  return image.pixels.slice(i, i + 3).join(",");
}

/**
 * The expert looks at the same picture the agent gets at reset (it renders the task's first frame;
 * the policy interface passes it text only) and plans with breadth-first search over the pixels:
 * it finds itself and the goal by colour and treats black cells as walls. Its thoughts count the
 * moves, so three moves the same way are not three identical replies (which the agent loop ends
 * as repetition).
 */
function expert(task: EnvTask): ExpertPolicy {
  const data = task.data as GridData;
  const image = renderGrid(data, data.start);
  const width = image.width / CELL;
  const height = image.height / CELL;
  let me: Point = { x: 0, y: 0 };
  let goal: Point = { x: 0, y: 0 };
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const colour = cellColour(image, { x, y });
      if (colour === colours.agent.join(",")) me = { x, y };
      if (colour === colours.goal.join(",")) goal = { x, y };
    }
  }
  const path =
    shortestPath((p) => cellColour(image, p) === colours.wall.join(","), width, height, me, goal) ?? [];
  let index = 0;
  return {
    next() {
      const move = path[Math.min(index, path.length - 1)];
      const thought =
        index === 0
          ? `I am the white cell at column ${me.x + 1}, row ${me.y + 1}; the red goal is at column ${goal.x + 1}, row ${goal.y + 1}. The shortest way around the black walls takes ${path.length} moves; first ${move}.`
          : `Move ${index + 1} of ${path.length} on the planned path: ${move}.`;
      index++;
      return { thought, action: `move: ${move}` };
    },
  };
}

export const gridExampleTask: EnvTask = {
  id: "grid/example",
  family: "grid",
  split: "train",
  instruction: "Move onto the red cell of the grid in the image.",
  data: {
    width: 5,
    height: 5,
    rows: [".....", ".##..", ".....", ".....", "....."],
    start: { x: 1, y: 0 },
    goal: { x: 1, y: 2 },
  } satisfies GridData,
};

const example: ExampleTrajectory = {
  instruction: gridExampleTask.instruction,
  observation: LEGEND,
  steps: [
    {
      thought:
        "I am the white cell at column 2, row 1; the red goal is at column 2, row 3. The shortest way around the black walls takes 4 moves; first left.",
      action: "move: left",
      observation: "You moved left.",
    },
    {
      thought: "Move 2 of 4 on the planned path: down.",
      action: "move: down",
      observation: "You moved down.",
    },
    {
      thought: "Move 3 of 4 on the planned path: down.",
      action: "move: down",
      observation: "You moved down.",
    },
    {
      thought: "Move 4 of 4 on the planned path: right.",
      action: "move: right",
      observation: "You reached the red cell.",
    },
  ],
};

export const gridEnv: Environment = {
  family: "grid",
  group: "held-in",
  description:
    "A multi-modal agent: observations carry a small RGB image of a grid world (white: you, red: goal, black: walls); the text never says where anything is. Reach the red cell.",
  actionSpace: "move: up | move: down | move: left | move: right",
  maxTurns: 30,
  tasks: generatedTasks("grid", makeTask),
  open: async (task) => open(task),
  example,
  expert,
};
