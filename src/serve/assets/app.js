// The search page of `recherche serve`: results as the reader types.
// Every text of the corpus is put in the page as text (textContent),
// never as markup: comments are written by strangers.
"use strict";

const PAGE = 10;
const DEBOUNCE_MS = 150;
const MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet",
  "août", "septembre", "octobre", "novembre", "décembre"];
const KINDS = { title: "Titre", article: "Article", bio: "Auteur du billet",
  comment: "Commentaires", pingback: "Pingbacks" };

const $ = (id) => document.getElementById(id);
const box = $("q");
const list = $("hits");
const state = {
  query: "", kind: null, author: null, offset: 0, total: 0,
  hits: [], selected: -1, sent: 0, timer: null,
};

// `text` with its byte ranges `marks` (UTF-8, as the API gives them) as
// <mark> elements, appended to `parent`.
function appendMarked(parent, text, marks) {
  const bytes = new TextEncoder().encode(text);
  const decode = (from, to) => new TextDecoder().decode(bytes.subarray(from, to));
  let at = 0;
  for (const [start, end] of marks || []) {
    parent.append(decode(at, start));
    const mark = document.createElement("mark");
    mark.textContent = decode(start, end);
    parent.append(mark);
    at = end;
  }
  parent.append(decode(at, bytes.length));
}

// `2010-08-03T09:15:00` → `3 août 2010`.
function frenchDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || "");
  if (!m) return iso || "";
  const day = Number(m[3]);
  return `${day === 1 ? "1er" : day} ${MONTHS[Number(m[2]) - 1]} ${m[1]}`;
}

function placeOf(hit) {
  switch (hit.kind) {
    case "title": return "Titre";
    case "article": return "Article";
    case "bio": return "Auteur du billet";
    case "comment": return hit.author ? `Commentaire de ${hit.author}` : "Commentaire";
    default: return hit.author ? `Pingback de ${hit.author}` : "Pingback";
  }
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function renderHit(hit, index) {
  const item = element("li", "hit");
  item.id = `hit-${index}`;
  item.setAttribute("role", "option");
  item.setAttribute("aria-selected", "false");
  item.dataset.id = hit.id;
  const source = element("div", "source");
  if (hit.url) {
    const link = element("a", "title", hit.title);
    link.href = hit.url;
    link.rel = "noopener";
    source.append(link);
  } else {
    source.append(element("span", "title", hit.title));
  }
  source.append(" › ", element("span", "where", placeOf(hit)));
  if (hit.context) {
    const context = element("span", "context");
    appendMarked(context, hit.context, hit.context_highlights);
    source.append(" › ", context);
  }
  if (hit.date) source.append(" · ", element("time", "date", frenchDate(hit.date)));
  const snippet = element("p", "snippet");
  appendMarked(snippet, hit.snippet, hit.highlights);
  const open = element("button", "open", "Voir dans son contexte");
  open.type = "button";
  open.tabIndex = -1;
  open.addEventListener("click", () => openContext(hit.id));
  item.addEventListener("click", (event) => {
    if (event.target.tagName !== "A") select(index);
  });
  item.append(source, snippet, open);
  return item;
}

function select(index) {
  const items = list.querySelectorAll(".hit");
  if (!items.length) return;
  state.selected = Math.max(0, Math.min(index, items.length - 1));
  items.forEach((item, i) => item.setAttribute("aria-selected", String(i === state.selected)));
  const chosen = items[state.selected];
  box.setAttribute("aria-activedescendant", chosen.id);
  chosen.scrollIntoView({ block: "nearest" });
}

function renderFilters(facets) {
  const filters = $("filters");
  filters.replaceChildren();
  if (!facets) return;
  const button = (label, count, pressed, onClick) => {
    const b = element("button", "filter", `${label} (${count})`);
    b.type = "button";
    b.setAttribute("aria-pressed", String(pressed));
    b.addEventListener("click", onClick);
    return b;
  };
  for (const [kind, count] of Object.entries(facets.kind || {})) {
    filters.append(button(KINDS[kind] || kind, count, state.kind === kind, () => {
      state.kind = state.kind === kind ? null : kind;
      search();
    }));
  }
  const authors = Object.entries(facets.author || {}).sort((a, b) => b[1] - a[1]).slice(0, 8);
  for (const [author, count] of authors) {
    filters.append(button(author, count, state.author === author, () => {
      state.author = state.author === author ? null : author;
      search();
    }));
  }
}

function url(offset) {
  const params = new URLSearchParams({ q: state.query, limit: PAGE, offset });
  if (state.kind) params.append("kind", state.kind);
  if (state.author) params.append("author", state.author);
  return `api/search?${params}`;
}

// Runs the search; an answer that arrives after a newer request was sent
// is dropped.
async function search(more = false) {
  const offset = more ? state.offset + PAGE : 0;
  const sent = ++state.sent;
  const address = new URL(window.location.href);
  if (state.query) address.searchParams.set("q", state.query);
  else address.searchParams.delete("q");
  history.replaceState(null, "", address);
  if (!state.query && !state.kind && !state.author) {
    show({ total: 0, hits: [], facets: null }, 0, false);
    $("summary").textContent = "";
    return;
  }
  let answer;
  try {
    const response = await fetch(url(offset));
    answer = await response.json();
    if (!response.ok) throw new Error(answer.error || response.statusText);
  } catch (error) {
    if (sent === state.sent) $("summary").textContent = `Erreur : ${error.message}`;
    return;
  }
  if (sent !== state.sent) return;
  show(answer, offset, more);
}

function show(answer, offset, more) {
  state.offset = offset;
  state.total = answer.total;
  if (!more) {
    list.replaceChildren();
    state.hits = [];
    state.selected = -1;
    box.removeAttribute("aria-activedescendant");
  }
  for (const hit of answer.hits) {
    list.append(renderHit(hit, state.hits.length));
    state.hits.push(hit);
  }
  box.setAttribute("aria-expanded", String(state.hits.length > 0));
  renderFilters(answer.facets);
  const shown = state.hits.length;
  $("summary").textContent = answer.total === 0
    ? (state.query ? "Aucun passage trouvé." : "")
    : `${shown} passage${shown > 1 ? "s" : ""} sur ${answer.total}`;
  $("more").hidden = shown >= answer.total;
}

async function openContext(id) {
  const response = await fetch(`api/passages/${id.split("/").map(encodeURIComponent).join("/")}?context=2`);
  const shown = await response.json();
  if (!response.ok) return;
  $("context-title").textContent = shown.title;
  const passages = $("context-passages");
  passages.replaceChildren();
  for (const passage of shown.passages) {
    const item = element("li", passage.asked ? "passage asked" : "passage");
    item.append(element("div", "where", placeOf(passage)), element("p", "", passage.text));
    passages.append(item);
  }
  $("context").hidden = false;
  $("close").focus();
}

function closeContext() {
  $("context").hidden = true;
  box.focus();
}

box.addEventListener("input", () => {
  clearTimeout(state.timer);
  state.timer = setTimeout(() => {
    state.query = box.value.trim();
    search();
  }, DEBOUNCE_MS);
});

$("form").addEventListener("submit", (event) => {
  event.preventDefault();
  clearTimeout(state.timer);
  state.query = box.value.trim();
  search();
});

$("more").addEventListener("click", () => search(true));
$("close").addEventListener("click", closeContext);

document.addEventListener("keydown", (event) => {
  const typing = event.target === box;
  if (event.key === "/" && !typing && $("context").hidden) {
    event.preventDefault();
    box.focus();
  } else if (event.key === "ArrowDown" && state.hits.length) {
    event.preventDefault();
    select(state.selected + 1);
  } else if (event.key === "ArrowUp" && state.hits.length) {
    event.preventDefault();
    select(state.selected - 1);
  } else if (event.key === "Enter" && state.selected >= 0 && $("context").hidden) {
    event.preventDefault();
    openContext(state.hits[state.selected].id);
  } else if (event.key === "Escape") {
    if (!$("context").hidden) {
      closeContext();
    } else {
      box.value = "";
      state.query = "";
      state.kind = null;
      state.author = null;
      search();
      box.focus();
    }
  }
});

const initial = new URLSearchParams(window.location.search).get("q");
if (initial) {
  box.value = initial;
  state.query = initial.trim();
  search();
}
box.focus();
