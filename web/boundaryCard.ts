/**
 * The page's decision-boundary card: it asks the boundary worker (web/boundaryClient.ts) for the
 * boundary at the session's current params — at once after an action, a few times a second while
 * training plays — sends the data along when it changed, and shows each drawing as it arrives: the area
 * always, the frame and samples only when they changed. `data-update` on the SVG names the update
 * (runtime transaction) drawn.
 *
 * @example
 * const card = createBoundaryCard(document.getElementById("boundary")!);
 * card.start(session, roles); card.request(false);
 */
import type { TrainingRoles } from "../src/train/trainingRoles.ts";
import type { ExplorerSession } from "./explorerSession.ts";
import { createBoundaryClient, type BoundaryAnswer, type BoundaryClient } from "./boundaryClient.ts";

export interface BoundaryCard {
  /** A new session: forget what was drawn; hidden unless the graph classifies two features. */
  start(session: ExplorerSession, roles: TrainingRoles | undefined): void;
  /** Draws the current params: now, or (while training) unless the last ask is recent. */
  request(now: boolean): void;
}

/** While training plays, the boundary is asked for at most this often (ms). */
const EVERY_MS = 250;

export function createBoundaryCard(svg: SVGSVGElement | HTMLElement): BoundaryCard {
  const area = svg.querySelector("#boundary-area")!;
  const overlay = svg.querySelector("#boundary-overlay")!;
  let client: BoundaryClient | undefined;
  let session: ExplorerSession | undefined;
  let roles: TrainingRoles | undefined;
  let asked = { update: -1, at: -Infinity, data: [] as unknown[] };
  let overlayShown = "";

  const show = (answer: BoundaryAnswer) => {
    if (answer.error || !answer.parts) {
      svg.dataset.error = answer.error ?? "";
      return;
    }
    area.innerHTML = answer.parts.area;
    if (answer.parts.overlay !== overlayShown) {
      overlay.innerHTML = answer.parts.overlay;
      overlayShown = answer.parts.overlay;
    }
    svg.dataset.update = String(answer.update);
  };

  return {
    start(next, nextRoles) {
      session = next;
      roles = nextRoles;
      asked = { update: -1, at: -Infinity, data: [] };
      overlayShown = "";
      area.replaceChildren();
      overlay.replaceChildren();
      delete svg.dataset.update;
      if (!roles) return;
      client ??= createBoundaryClient(show);
      client.setGraph(next.problem.graph);
    },
    request(now) {
      if (!roles || !client || !session) return;
      const s = session.runtime.snapshot();
      if (s.epoch === asked.update) return;
      if (!now && performance.now() - asked.at < EVERY_MS) return;
      const inputs = { [roles.features!]: s.values[roles.features!], [roles.target]: s.values[roles.target] };
      const test = session.testInputs();
      const data = [...Object.values(inputs), test];
      if (data.some((t, i) => t !== asked.data[i])) client.setData(inputs, test);
      asked = { update: s.epoch, at: performance.now(), data };
      client.request(s.epoch, Object.fromEntries(session.graph.params.map((p) => [p.id, s.values[p.id]])));
    },
  };
}
