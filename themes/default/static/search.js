// yuanba search over the index in search/ (src/search/mod.rs). Mirrors src/search/tokenize.rs
// and src/search/query.rs: change them together.
(() => {
  "use strict";
  const base = document.currentScript.getAttribute("data-index");
  const [form, status, list, more] = ["form", "status", "results", "more"].map((n) => document.getElementById("search-" + n));
  const FORMAT = 1, PAGE = 10, SEP = 0, CJK = 1, WORD = 2, NAMES = ["q", "district", "year"];
  const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  const ALNUM = /[\p{Alphabetic}\p{N}]/u, UNITS = /\P{M}\p{M}*|\p{M}+/gu, LOW = /[\uDC00-\uDFFF]/;
  // The ranges of text::is_cjk in src/text.rs.
  const CJK_RANGES = [0x2E80, 0x31FF, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF,
    0xFE30, 0xFE4F, 0xFF00, 0xFFEF, 0x20000, 0x2FA1F];
  const files = new Map();
  let manifest = null, hits = [], shown = 0, terms = [];

  const classify = (c) => {
    const cp = c.codePointAt(0);
    if (cp < 128) return /[0-9a-zA-Z]/.test(c) ? WORD : SEP;
    if (!ALNUM.test(c)) return SEP;
    for (let i = 0; i < CJK_RANGES.length; i += 2) if (cp >= CJK_RANGES[i] && cp <= CJK_RANGES[i + 1]) return CJK;
    return WORD;
  };

  // Atoms {text, gap, from, to} (from/to in the original), normalised unit by unit.
  const atoms = (text) => {
    const out = [];
    let gap = false, word = null, pos = 0;
    const end = () => { if (word) { out.push(word); word = null; gap = false; } };
    for (const unit of text.match(UNITS) || []) {
      const from = pos, to = (pos += unit.length);
      for (const c of unit.normalize("NFKC").toLowerCase()) {
        const k = classify(c);
        if (k !== WORD) end();
        if (k === CJK) { out.push({ text: c, gap, from, to }); gap = false; }
        else if (k === SEP) gap = true;
        else if (word) { word.text += c; word.to = to; }
        else word = { text: c, gap, from, to };
      }
    }
    end();
    return out;
  };

  const queryTerms = (query) => {
    const out = [], seen = new Set();
    for (const part of query.split(/\s+/)) {
      const as = atoms(part);
      if (!as.length) continue;
      const keys = as.length === 1 ? [as[0].text] : as.slice(1).map((b, i) => as[i].text + (b.gap ? " " : "") + b.text);
      const id = keys.join("\n");
      if (!seen.has(id)) out.push({ atoms: as, keys });
      seen.add(id);
    }
    return out;
  };

  const fnv1a = (s) => {
    let h = 0x811c9dc5;
    for (const b of new TextEncoder().encode(s)) h = Math.imul(h ^ b, 0x01000193);
    return h >>> 0;
  };

  const varints = (s) => {
    const out = [];
    let v = 0, m = 1;
    for (const c of s) {
      const d = DIGITS.indexOf(c);
      v += (d & 31) * m;
      if (d & 32) m *= 32; else { out.push(v); v = 0; m = 1; }
    }
    return out;
  };

  const fetchJson = (path) => {
    const url = base + path + (manifest ? "?v=" + manifest.build : "");
    if (!files.has(url)) files.set(url, fetch(url).then((r) => { if (r.ok) return r.json(); throw Error(path + ": " + r.status); }));
    return files.get(url);
  };

  // A token's documents, tier masks and (for several-token terms) positions.
  const postings = async (key, withPositions) => {
    const shard = fnv1a(key) % manifest.shards;
    const ids = (await fetchJson("ids/" + shard + ".json"))[key];
    if (ids === undefined) return null;
    const docs = [], masks = [], positions = [];
    let id = -1;
    for (const x of varints(ids)) { docs.push((id += Math.floor(x / 8))); masks.push(x % 8); }
    if (withPositions) {
      const p = varints((await fetchJson("positions/" + shard + ".json"))[key] || "");
      let k = 0;
      for (const mask of masks) {
        const tiers = [[], [], []];
        for (let t = 0; t < 3; t++) {
          if (!(mask & (1 << t))) continue;
          for (let n = p[k++], q = 0; n > 0; n--) { q += p[k++]; tiers[t].push(q); }
        }
        positions.push(tiers);
      }
    }
    return { docs, masks, positions };
  };

  // Document id => the best tier where the term occurs as one run.
  const termHits = async (term) => {
    const multi = term.keys.length > 1, out = new Map();
    const ps = await Promise.all(term.keys.map((key) => postings(key, multi)));
    if (ps.includes(null)) return out;
    const index = ps.map((p) => new Map(p.docs.map((id, i) => [id, i])));
    for (const id of ps[0].docs) {
      const at = index.map((m) => m.get(id));
      if (at.includes(undefined)) continue;
      for (let t = 0; t < 3; t++) {
        if (!ps.every((p, k) => p.masks[at[k]] & (1 << t))) continue;
        if (multi && !ps[0].positions[at[0]][t].some((start) =>
          ps.every((p, k) => p.positions[at[k]][t].includes(start + k)))) continue;
        out.set(id, t);
        break;
      }
    }
    return out;
  };

  const districtOf = (id) => manifest.districts[manifest.dd[id]];
  const yearOf = (id) => String((manifest.years.find((y) => id >= y[1] && id < y[1] + y[2]) || [""])[0]);

  // [from, to) of each run of a term's atoms in a text.
  const matches = (text) => {
    const as = atoms(text), ranges = [];
    for (const { atoms: ta } of terms) {
      for (let i = 0; i + ta.length <= as.length; i++) {
        if (ta.every((a, j) => as[i + j].text === a.text && (j === 0 || as[i + j].gap === a.gap))) {
          ranges.push([as[i].from, as[i + ta.length - 1].to]);
        }
      }
    }
    return ranges.sort((a, b) => a[0] - b[0]);
  };

  // Appends text[from, to) to el, the matches in <mark>; text only, never HTML.
  const marked = (el, text, from = 0, to = text.length) => {
    let at = from;
    for (const [s0, e0] of matches(text)) {
      const s = Math.max(s0, at), e = Math.min(e0, to);
      if (s >= e) continue;
      const m = document.createElement("mark");
      m.textContent = text.slice(s, e);
      el.append(text.slice(at, s), m);
      at = e;
    }
    el.append(text.slice(at, to));
    return el;
  };

  const snippet = (doc) => {
    const el = document.createElement("p");
    el.className = "search-snippet";
    for (const t of [...doc.highlights, doc.body, doc.subtitle]) {
      const r = matches(t)[0];
      if (!r) continue;
      let from = Math.max(0, r[0] - 30), to = Math.min(t.length, r[1] + 70);
      if (LOW.test(t[from])) from--;
      if (LOW.test(t[to])) to++;
      if (from > 0) el.append("…");
      marked(el, t, from, to);
      if (to < t.length) el.append("…");
      return el;
    }
    return marked(el, doc.summary);
  };

  const item = (doc) => {
    const [li, h, a, meta, place, time] = ["li", "h2", "a", "p", "span", "time"].map((n) => document.createElement(n));
    const [y, m, d] = doc.date.split("-");
    li.className = "search-result";
    meta.className = "search-meta";
    a.href = doc.url;
    h.append(marked(a, doc.title));
    time.dateTime = doc.date;
    time.textContent = y + "年" + Number(m) + "月" + Number(d) + "日";
    meta.append(marked(place, doc.place), " ", time);
    li.append(h, meta, snippet(doc));
    return li;
  };

  const showMore = async () => {
    const page = hits.slice(shown, shown + PAGE);
    shown += page.length;
    const docs = await Promise.all(page.map(async ({ id }) =>
      (await fetchJson("docs/" + Math.floor(id / manifest.chunk) + ".json"))[id % manifest.chunk]));
    list.append(...docs.map(item));
    more.hidden = shown >= hits.length;
  };

  const fillSelect = (select, values, counts, chosen) => {
    select.length = 1;
    for (const [value, label] of values) select.add(new Option(label + (counts ? "（" + (counts.get(value) || 0) + "）" : ""), value, false, value === chosen));
  };

  const count = (all, of) => all.reduce((m, h) => m.set(of(h.id), (m.get(of(h.id)) || 0) + 1), new Map());

  const run = async () => {
    const params = new URLSearchParams(location.search);
    const [q, district, year] = NAMES.map((n) => params.get(n) || "");
    form.elements.q.value = q;
    list.textContent = "";
    more.hidden = true;
    terms = queryTerms(q);
    try {
      if (!manifest) {
        const m = await fetchJson("manifest.json");
        if (m.format !== FORMAT) throw Error("index format " + m.format);
        m.dd = varints(m.doc_districts);
        manifest = m;
      }
      if (terms.length) status.textContent = "正在搜索…";
      let found = new Map();
      for (const [i, term] of terms.entries()) {
        const th = await termHits(term);
        found = i === 0 ? th : new Map([...found].filter(([id]) => th.has(id)).map(([id, t]) => [id, Math.max(t, th.get(id))]));
      }
      const all = [...found].map(([id, tier]) => ({ id, tier }));
      const on = terms.length > 0;
      fillSelect(form.elements.district, manifest.districts.map((d) => [d, d]), on && count(all, districtOf), district);
      fillSelect(form.elements.year, manifest.years.map((y) => [String(y[0]), y[0] + "年"]), on && count(all, yearOf), year);
      hits = all.filter(({ id }) => (!district || districtOf(id) === district) && (!year || yearOf(id) === year))
        .sort((a, b) => a.tier - b.tier || a.id - b.id);
      shown = 0;
      if (!on) { status.textContent = q ? "请输入要搜索的文字。" : ""; return; }
      status.textContent = hits.length ? "找到 " + hits.length + " 篇报道" : "没有找到与“" + q + "”相关的报道。";
      await showMore();
    } catch (e) {
      status.textContent = "搜索暂时不可用（" + e.message + "）。";
    }
  };

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    const params = new URLSearchParams();
    for (const name of NAMES) {
      const v = form.elements[name].value.trim();
      if (v) params.set(name, v);
    }
    history.pushState(null, "", "?" + params);
    run();
  });
  form.addEventListener("change", (e) => e.target.tagName === "SELECT" && form.requestSubmit());
  more.addEventListener("click", showMore);
  addEventListener("popstate", run);
  form.hidden = false;
  run();
})();
