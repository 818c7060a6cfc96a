/* kg graph page: draws the graph with vis-network and wires search, label
 * filter, tooltips and the details panel. Tooltip HTML arrives escaped from
 * Python; it is still parsed in an inert document and reduced to an
 * allow-list of tags and attributes before it is shown. Exposes window.kg
 * (network, nodes, edges, state and a few helpers) for tests and for users
 * poking at the page from the console. */
(function () {
  "use strict";

  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var body = document.body;
  var DIM = { background: "rgba(200,205,212,0.35)", border: "rgba(200,205,212,0.35)",
              highlight: { background: "rgba(200,205,212,0.5)", border: "#8c959f" },
              hover: { background: "rgba(200,205,212,0.5)", border: "#8c959f" } };
  var DIM_FONT = { color: "rgba(31,35,40,0.18)", strokeColor: "rgba(255,255,255,0.2)" };
  var BASE_FONT = { color: data.options.nodes.font.color, strokeColor: data.options.nodes.font.strokeColor };

  /* ---------------------------------------------------------------- sanitising */
  var ALLOWED = { DIV: 1, SPAN: 1, P: 1, B: 1, STRONG: 1, I: 1, EM: 1, BR: 1, UL: 1, LI: 1,
                  DL: 1, DT: 1, DD: 1, A: 1, SMALL: 1, BLOCKQUOTE: 1, Q: 1 };
  var parser = new DOMParser();

  function clean(el) {
    var children = Array.prototype.slice.call(el.childNodes);
    for (var i = 0; i < children.length; i++) {
      var child = children[i];
      if (child.nodeType === 3) continue;
      if (child.nodeType !== 1 || !ALLOWED[child.tagName]) {
        el.replaceChild(el.ownerDocument.createTextNode(child.nodeType === 1 ? child.textContent : ""), child);
        continue;
      }
      var attrs = Array.prototype.slice.call(child.attributes);
      for (var j = 0; j < attrs.length; j++) {
        var name = attrs[j].name.toLowerCase();
        var keep = name === "class" || (name === "href" && child.tagName === "A" && /^https?:\/\/[^\s]+$/i.test(attrs[j].value));
        if (!keep) child.removeAttribute(attrs[j].name);
      }
      if (child.tagName === "A") {
        child.setAttribute("target", "_blank");
        child.setAttribute("rel", "noopener noreferrer");
      }
      clean(child);
    }
  }

  /** Escaped tooltip HTML -> a fresh, sanitised element of this document. */
  function toElement(html) {
    var doc = parser.parseFromString("<div class=\"kg-tip-root\">" + (html || "") + "</div>", "text/html");
    var root = doc.body.firstElementChild || doc.createElement("div");
    clean(root);
    return document.importNode(root, true);
  }

  function tooltip(kind, id) {
    var tips = data.tips[kind] || {};
    return toElement(Object.prototype.hasOwnProperty.call(tips, id) ? tips[id] : "");
  }

  /* ---------------------------------------------------------------- network */
  var nodes = new vis.DataSet(data.nodes);
  var edges = new vis.DataSet(data.edges);
  var container = document.getElementById("kg-network");
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, data.options);
  var base = {};
  data.nodes.forEach(function (n) { base[n.id] = n; });
  var titled = { node: {}, edge: {} };

  var api = {
    network: network, nodes: nodes, edges: edges, meta: data.meta, state: "loading",
    matches: [], tooltip: tooltip, toElement: toElement,
    /** number of nodes vis-network is drawing (not hidden) */
    drawnCount: function () {
      return network.body.nodeIndices.filter(function (id) { return !network.body.nodes[id].options.hidden; }).length;
    },
    dimmedCount: function () { return Object.keys(dimmed).length; },
    /** give an item its tooltip element, as hovering does */
    attachTooltip: attachTooltip
  };
  window.kg = api;

  function ready() {
    if (api.state === "ready") return;
    network.setOptions({ physics: { enabled: false } });
    network.fit({ animation: false });
    api.state = "ready";
    body.setAttribute("data-state", "ready");
  }

  if (!data.options.physics.enabled || data.nodes.length < 2) {
    ready();
  } else {
    var progress = document.getElementById("kg-progress");
    network.on("stabilizationProgress", function (p) { progress.value = p.total ? p.iterations / p.total : 1; });
    network.once("stabilizationIterationsDone", ready);
    network.once("stabilized", ready);
  }

  function attachTooltip(kind, id) {
    if (titled[kind][id]) return;
    titled[kind][id] = true;
    (kind === "node" ? nodes : edges).update({ id: id, title: tooltip(kind, id) });
  }
  network.on("hoverNode", function (p) { attachTooltip("node", p.node); });
  network.on("hoverEdge", function (p) { attachTooltip("edge", p.edge); });

  /* ---------------------------------------------------------------- details panel */
  var details = document.getElementById("kg-details-body");
  function showDetails(kind, id) {
    while (details.firstChild) details.removeChild(details.firstChild);
    details.appendChild(tooltip(kind, id));
  }
  api.showDetails = showDetails;
  network.on("click", function (p) {
    if (p.nodes.length) showDetails("node", p.nodes[0]);
    else if (p.edges.length) showDetails("edge", p.edges[0]);
  });

  /* ---------------------------------------------------------------- search */
  var dimmed = {};
  var input = document.getElementById("kg-search");
  var count = document.getElementById("kg-search-count");
  var timer = null;

  function search(query) {
    var q = (query || "").trim().toLowerCase();
    var updates = [];
    var matches = [];
    data.nodes.forEach(function (n) {
      var hit = !q || (data.search[n.id] || "").indexOf(q) >= 0;
      if (hit && q) matches.push(n.id);
      if (!hit && !dimmed[n.id]) {
        dimmed[n.id] = true;
        updates.push({ id: n.id, color: DIM, font: DIM_FONT });
      } else if (hit && dimmed[n.id]) {
        delete dimmed[n.id];
        updates.push({ id: n.id, color: base[n.id].color, font: BASE_FONT });
      }
    });
    if (updates.length) nodes.update(updates);
    api.matches = matches;
    count.textContent = q ? matches.length + (matches.length === 1 ? " match" : " matches") : "";
    var visible = matches.filter(function (id) { return !nodes.get(id).hidden; });
    network.unselectAll();
    if (visible.length) {
      network.selectNodes(visible.slice(0, 200), false);
      if (visible.length <= 60) network.fit({ nodes: visible, animation: false, maxZoomLevel: 1.2 });
    } else if (!q) {
      network.fit({ animation: false });
    }
  }
  api.search = function (q) { input.value = q; search(q); };
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(input.value); }, 120);
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter") {
      clearTimeout(timer);
      search(input.value);
      if (api.matches.length) {
        network.focus(api.matches[0], { scale: 1.2, animation: false });
        showDetails("node", api.matches[0]);
      }
    } else if (e.key === "Escape") {
      input.value = "";
      search("");
    }
  });

  /* ---------------------------------------------------------------- label filter */
  var byLabel = {};
  data.nodes.forEach(function (n) { (byLabel[n.kgLabel] = byLabel[n.kgLabel] || []).push(n.id); });
  Array.prototype.forEach.call(document.querySelectorAll("input.kg-filter"), function (box) {
    box.addEventListener("change", function () {
      var ids = byLabel[box.getAttribute("data-label")] || [];
      nodes.update(ids.map(function (id) { return { id: id, hidden: !box.checked }; }));
    });
  });
})();
