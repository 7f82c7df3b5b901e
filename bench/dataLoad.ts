/**
 * One measured load for `npm run bench:data`, run in a child process of its own so its peak memory is its
 * alone: `tsx bench/dataLoad.ts <how> <file> <graph>` prints `{ ms, peakMB, m }` as JSON. `how` is
 * `json` (loadData: the file streamed into tensors), `json-parse` (the way before: the whole text, JSON.parse,
 * then bindData), `csv` (loadCsv, streamed), or `none` (Node and the imports alone: the floor).
 */
import { readFile } from "node:fs/promises";
import { loadGraph } from "../src/node/loadGraph.ts";
import { loadData } from "../src/node/loadData.ts";
import { loadCsv } from "../src/node/loadCsv.ts";
import { bindData } from "../src/data/bindData.ts";

const [how, file, graphPath] = process.argv.slice(2);
const graph = await loadGraph(graphPath);
const noLimit = { maxMemory: Infinity };
const t0 = performance.now();
let m = 0;
if (how === "json") m = (await loadData(file, graph, 1, noLimit)).m;
else if (how === "json-parse") m = bindData(JSON.parse(await readFile(file, "utf8")), graph, 1, file).m;
else if (how === "csv") m = (await loadCsv(file, noLimit)).X.shape[1];
const ms = performance.now() - t0;
console.log(JSON.stringify({ ms, peakMB: process.resourceUsage().maxRSS / 1024, m }));
