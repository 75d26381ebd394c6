// yuanba search (src/search/mod.rs). Mirrors src/search/tokenize.rs and query.rs: change together.
(() => {
  "use strict";
  const base = document.currentScript.dataset.index;
  const [form, status, list, more] = ["form", "status", "results", "more"].map((n) => document.getElementById("search-" + n));
  const FORMAT = 2, PAGE = 10, LIMIT = 40, SEP = 0, CJK = 1, WORD = 2, NAMES = ["q", "district", "year"];
  const DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  const ALNUM = /[\p{Alphabetic}\p{N}]/u, UNITS = /\P{M}\p{M}*|\p{M}+/gu, LOW = /[\uDC00-\uDFFF]/;
  // The ranges of text::is_cjk in src/text.rs.
  const CJK_RANGES = [0x2E80, 0x31FF, 0x3400, 0x4DBF, 0x4E00, 0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF,
    0xFE30, 0xFE4F, 0xFF00, 0xFFEF, 0x20000, 0x2FA1F];
  const files = new Map();
  let manifest = null, hits = [], shown = 0, terms = [], q = "", atMost = "";

  const classify = (c) => {
    const cp = c.codePointAt(0);
    if (cp < 128) return /[0-9a-zA-Z]/.test(c) ? WORD : SEP;
    if (!ALNUM.test(c)) return SEP;
    for (let i = 0; i < CJK_RANGES.length; i += 2) if (cp >= CJK_RANGES[i] && cp <= CJK_RANGES[i + 1]) return CJK;
    return WORD;
  };

  // Atoms {text, gap, from, to} (offsets in the original), normalised per unit.
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
    const out = [];
    for (const part of query.split(/\s+/)) {
      const as = atoms(part);
      if (!as.length) continue;
      const keys = as.length === 1 ? [as[0].text] : as.slice(1).map((b, i) => as[i].text + (b.gap ? " " : "") + b.text);
      if (!out.some((t) => t.keys.join() === keys.join())) out.push({ atoms: as, keys });
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

  // A token's documents => tier masks.
  const postings = async (key) => {
    const ids = (await fetchJson("ids/" + (fnv1a(key) % manifest.shards) + ".json"))[key], out = new Map();
    let id = -1;
    for (const x of varints(ids || "")) out.set((id += Math.floor(x / 8)), x % 8);
    return ids && out;
  };

  // id => {tier, sure}: the best tier all its tokens share; longer terms are confirmed later.
  const termHits = async (term) => {
    const ps = await Promise.all(term.keys.map(postings)), out = new Map();
    if (ps.includes(undefined)) return out;
    for (const [id, mask] of ps[0]) {
      const m = ps.reduce((m, p) => m & (p.get(id) || 0), mask);
      if (m) out.set(id, { tier: 31 - Math.clz32(m & -m), sure: !term.keys[1] });
    }
    return out;
  };

  const doc = async (id) => (await fetchJson("docs/" + Math.floor(id / manifest.chunk) + ".json"))[id % manifest.chunk];
  const at = (as, ta, i) => ta.every((a, j) => as[i + j] && as[i + j].text === a.text && (!j || as[i + j].gap === a.gap));

  // A document's true tier, or -1.
  const tierOf = (d) => {
    const fs = [[d.title], [d.subtitle, ...d.highlights], [d.place, d.reporters, d.body]];
    const ts = terms.map((t) => fs.findIndex((f) => f.some((x) => matches(x, [t]).length)));
    return ts.includes(-1) ? -1 : Math.max(...ts);
  };
  const byRank = (a, b) => a.tier - b.tier || a.id - b.id;

  const districtOf = (id) => manifest.districts[manifest.dd[id]];
  const yearOf = (id) => String((manifest.years.find((y) => id >= y[1] && id < y[1] + y[2]) || [""])[0]);

  // [from, to) of each run of a term's atoms in a text.
  const matches = (text, ts = terms) => {
    const as = atoms(text), ranges = [];
    for (const { atoms: ta } of ts) for (let i = 0; i < as.length; i++) if (at(as, ta, i)) ranges.push([as[i].from, as[i + ta.length - 1].to]);
    return ranges.sort((a, b) => a[0] - b[0]);
  };

  // Appends text[from, to) to el, the matches in <mark>; text only, never HTML.
  const marked = (el, text, from = 0, to = text.length) => {
    let i = from;
    for (const [s0, e0] of matches(text)) {
      const s = Math.max(s0, i), e = Math.min(e0, to);
      if (s >= e) continue;
      const m = document.createElement("mark");
      m.textContent = text.slice(s, e);
      el.append(text.slice(i, s), m);
      i = e;
    }
    el.append(text.slice(i, to));
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

  // Confirms candidates in rank order, a page at a time, until PAGE hits are sure (or LIMIT).
  const showMore = async () => {
    const page = [];
    for (let n = 0; ;) {
      while (page.length < PAGE && shown < hits.length && hits[shown].sure) page.push(hits[shown++]);
      if (page.length === PAGE || shown === hits.length || n >= LIMIT) break;
      const batch = hits.slice(shown, shown + PAGE - page.length).filter((h) => !h.sure);
      n += batch.length;
      const docs = await Promise.all(batch.map((h) => doc(h.id)));
      batch.forEach((h, i) => { h.tier = tierOf(docs[i]); h.sure = true; });
      hits = hits.slice(0, shown).concat(hits.slice(shown).filter((h) => h.tier >= 0).sort(byRank));
    }
    list.append(...(await Promise.all(page.map((h) => doc(h.id)))).map(item));
    more.hidden = shown >= hits.length;
    status.textContent = hits.length ? "找到" + (hits.every((h) => h.sure) ? " " : "至多 ") + hits.length + " 篇报道" : "没有找到与“" + q + "”相关的报道。";
  };

  const fillSelect = (select, values, counts, chosen) => {
    select.length = 1;
    for (const [value, label] of values) select.add(new Option(label + (counts ? "（" + atMost + (counts.get(value) || 0) + "）" : ""), value, false, value === chosen));
  };

  const count = (all, of) => all.reduce((m, h) => m.set(of(h.id), (m.get(of(h.id)) || 0) + 1), new Map());

  const run = async () => {
    const params = new URLSearchParams(location.search);
    const [query, district, year] = NAMES.map((n) => params.get(n) || "");
    q = query;
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
      const all = [], ths = await Promise.all(terms.map(termHits));
      for (const id of (ths[0] || []).keys()) {
        const hs = ths.map((t) => t.get(id));
        if (!hs.includes(undefined)) all.push({ id, tier: Math.max(...hs.map((h) => h.tier)), sure: hs.every((h) => h.sure) });
      }
      const on = terms.length > 0;
      atMost = all.every((h) => h.sure) ? "" : "≤";
      fillSelect(form.elements.district, manifest.districts.map((d) => [d, d]), on && count(all, districtOf), district);
      fillSelect(form.elements.year, manifest.years.map((y) => [String(y[0]), y[0] + "年"]), on && count(all, yearOf), year);
      hits = all.filter(({ id }) => (!district || districtOf(id) === district) && (!year || yearOf(id) === year)).sort(byRank);
      shown = 0;
      if (!on) { status.textContent = q ? "请输入要搜索的文字。" : ""; return; }
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
