// A minimal page that embeds gradstream: the package's browser entry (picked by the bundler through the
// "browser" condition of its exports) fetches the graph and data by URL, and the reactive runtime pushes a
// new J and dJ/dW2 whenever the slider sets W2[0][0].
import { loadGraph, loadData, createRuntime } from "gradstream";

const $ = (id) => document.getElementById(id);

try {
  const graph = await loadGraph("./planar-tanh.yaml");
  const { values } = await loadData("./planar-small.json", graph);
  const init = Object.fromEntries(values);
  const rt = createRuntime(graph, { inputs: { X: init.X, Y: init.Y }, params: { W1: init.W1, b1: init.b1, W2: init.W2, b2: init.b2 } });

  rt.value$("J").subscribe((J) => {
    $("J").textContent = String(J.data[0]); // full precision: the shortest text that reads back as the same float64
  });
  rt.grad$("W2").subscribe((g) => {
    $("dW2").replaceChildren(...Array.from(g.data, (x) => Object.assign(document.createElement("td"), { textContent: String(x) })));
  });
  rt.value$("W2").subscribe((W2) => {
    $("weight-value").textContent = String(W2.data[0]);
  });

  const slider = $("weight");
  slider.value = String(init.W2.data[0]);
  slider.disabled = false;
  slider.addEventListener("input", () => {
    const W2 = Array.from(rt.snapshot().values.W2.data);
    W2[0] = Number(slider.value);
    rt.set({ W2: [W2] }); // one transaction: J and dJ/dW2 emit once each
  });
  document.body.dataset.ready = "true";
} catch (e) {
  $("error").textContent = e instanceof Error ? e.message : String(e);
  throw e;
}
