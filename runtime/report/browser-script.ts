/**
 * The trajectory browser's script, inlined into the HTML page. It is plain browser JavaScript in a
 * string (not a compiled function) so nothing the TypeScript toolchain injects can leak into it.
 * It reads the data from the page's JSON element and builds every element with textContent:
 * trajectory text (model output) is never parsed as HTML.
 */
export const browserScript = `
(() => {
  const data = JSON.parse(document.getElementById("report-data").textContent);
  const byId = (id) => document.getElementById(id);
  const make = (tag, className, text) => {
    const element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined) element.textContent = text;
    return element;
  };
  const addOptions = (select, options) => {
    for (const [value, label] of options) {
      const option = make("option", "", label);
      option.value = value;
      select.append(option);
    }
  };
  const groupLabel = (group) => group.replace(/_/g, "-");
  const outcomeLabel = (episode) => (episode.success ? "success" : "failure");

  const modelFilter = byId("filter-model");
  const familyFilter = byId("filter-family");
  const outcomeFilter = byId("filter-outcome");
  const list = byId("episode-list");
  const count = byId("episode-count");
  const detail = byId("episode-detail");

  addOptions(modelFilter, [["", "all models"], ...data.rows.map((row) => [row.label, row.label])]);
  addOptions(familyFilter, [
    ["", "all families"],
    ...data.families.map((f) => [f.family, f.family + " (" + groupLabel(f.group) + ")"]),
  ]);
  const reasons = [...new Set(data.episodes.map((e) => e.finishReason))].sort();
  addOptions(outcomeFilter, [
    ["", "any outcome"],
    ["success", "success"],
    ["failure", "failure"],
    ...reasons.map((reason) => ["finish:" + reason, "finished: " + reason]),
  ]);

  const matches = (episode) => {
    if (modelFilter.value && episode.row !== modelFilter.value) return false;
    if (familyFilter.value && episode.family !== familyFilter.value) return false;
    const outcome = outcomeFilter.value;
    if (outcome === "success" && !episode.success) return false;
    if (outcome === "failure" && episode.success) return false;
    if (outcome.startsWith("finish:") && episode.finishReason !== outcome.slice(7)) return false;
    return true;
  };

  let selected = -1;
  const renderList = () => {
    list.replaceChildren();
    let shown = 0;
    data.episodes.forEach((episode, index) => {
      if (!matches(episode)) return;
      shown++;
      const item = make("li", "episode-item");
      const button = make("button", index === selected ? "selected" : "");
      button.type = "button";
      button.dataset.index = String(index);
      button.append(
        make("span", "badge " + outcomeLabel(episode), outcomeLabel(episode)),
        make("span", "episode-id", episode.id),
        make("span", "episode-meta", episode.row + " · " + episode.family + " · " + episode.finishReason),
      );
      button.addEventListener("click", () => select(index));
      item.append(button);
      list.append(item);
    });
    count.textContent = shown + " of " + data.episodes.length + " embedded episodes match";
    if (shown === 0) list.append(make("li", "empty", "No embedded episode matches these filters."));
  };

  const lossText = (turn) => {
    if (turn.loss === true) return "trained on (loss: true)";
    if (turn.loss === false) return "not trained (loss: false)";
    return turn.from === "gpt" ? "trained on (loss: null, gpt default)" : "not trained (loss: null)";
  };
  const trained = (turn) => (turn.loss === null ? turn.from === "gpt" : turn.loss);
  const renderTurn = (turn) => {
    const box = make("div", "turn from-" + turn.from + (trained(turn) ? " trained" : " not-trained"));
    const head = make("div", "turn-head");
    head.append(make("span", "speaker", turn.from), make("span", "loss-mark", lossText(turn)));
    const body = make("pre", "turn-text", turn.value);
    box.append(head, body);
    if (turn.cut > 0) box.append(make("div", "cut", "… " + turn.cut + " more characters not embedded"));
    return box;
  };

  const select = (index) => {
    selected = index;
    const episode = data.episodes[index];
    for (const button of list.querySelectorAll("button")) {
      button.classList.toggle("selected", button.dataset.index === String(index));
    }
    detail.replaceChildren();
    const title = make("h3", "", episode.id);
    const facts = make("p", "facts");
    facts.append(
      make("span", "badge " + outcomeLabel(episode), outcomeLabel(episode)),
      document.createTextNode(
        " " + episode.row + " · " + episode.family + " (" + groupLabel(episode.group) + ") · reward " +
          episode.reward.toFixed(3) + " · finish reason " + episode.finishReason + " · " + episode.agentTurns +
          " agent turns",
      ),
    );
    const prompt = data.prompts[episode.prompt];
    const shared = make("details", "prompt");
    shared.append(
      make("summary", "", "Shared prompt: " + prompt.length + " turns (instructions and worked example)"),
    );
    for (const turn of prompt) shared.append(renderTurn(turn));
    const turns = make("div", "turns");
    for (const turn of episode.turns) turns.append(renderTurn(turn));
    detail.append(title, facts, shared, make("p", "turns-label", "Episode: " + episode.turns.length + " turns"), turns);
  };

  for (const filter of [modelFilter, familyFilter, outcomeFilter]) filter.addEventListener("change", renderList);
  renderList();
})();
`;
