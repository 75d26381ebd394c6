// yuanba search: reads the static index under search/ (see src/search/ for the format).
// Tokenizing mirrors src/search/tokenize.rs and querying src/search/query.rs: change them together.
(function () {
  "use strict";
  var script = document.currentScript, base = script.getAttribute("data-index");
  var form = document.getElementById("search-form"), status = document.getElementById("search-status");
  var list = document.getElementById("search-results"), more = document.getElementById("search-more");
  var selDistrict = form.elements.district, selYear = form.elements.year;
  var FORMAT = 1, PAGE = 10, CJK = 1, WORD = 2, SEP = 0;
  var DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_";
  var ALNUM = /[\p{Alphabetic}\p{N}]/u, UNITS = /\P{M}\p{M}*|\p{M}+/gu;
  var CJK_RANGES = [0x2E80, 0x2FFF, 0x3000, 0x303F, 0x3040, 0x30FF, 0x3100, 0x31FF, 0x3400, 0x4DBF,
    0x4E00, 0x9FFF, 0xAC00, 0xD7AF, 0xF900, 0xFAFF, 0xFE30, 0xFE4F, 0xFF00, 0xFFEF, 0x20000, 0x2FA1F];
  var manifest = null, files = new Map(), hits = [], shown = 0, terms = [];

  function classify(c) {
    var cp = c.codePointAt(0);
    if (cp < 128) return /[0-9a-zA-Z]/.test(c) ? WORD : SEP;
    if (!ALNUM.test(c)) return SEP;
    for (var i = 0; i < CJK_RANGES.length; i += 2) {
      if (cp >= CJK_RANGES[i] && cp <= CJK_RANGES[i + 1]) return CJK;
    }
    return WORD;
  }

  // Normalised characters, each with the range of the original text it came from.
  function normalize(text) {
    var chars = [], from = [], to = [], pos = 0;
    (text.match(UNITS) || []).forEach(function (unit) {
      for (var c of unit.normalize("NFKC").toLowerCase()) {
        chars.push(c); from.push(pos); to.push(pos + unit.length);
      }
      pos += unit.length;
    });
    return { chars: chars, from: from, to: to };
  }

  // Atoms: {text, gap, from, to} with from/to in the original text.
  function atoms(text) {
    var n = normalize(text), out = [], gap = false, word = null;
    function end() { if (word) { out.push(word); word = null; gap = false; } }
    n.chars.forEach(function (c, i) {
      var k = classify(c);
      if (k !== WORD) end();
      if (k === CJK) { out.push({ text: c, gap: gap, from: n.from[i], to: n.to[i] }); gap = false; }
      else if (k === SEP) gap = true;
      else if (word) { word.text += c; word.to = n.to[i]; }
      else word = { text: c, gap: gap, from: n.from[i], to: n.to[i] };
    });
    end();
    return out;
  }

  function pairKey(a, b) { return a.text + (b.gap ? " " : "") + b.text; }

  function queryTerms(query) {
    var out = [], seen = new Set();
    query.split(/\s+/).forEach(function (part) {
      var as = atoms(part);
      if (!as.length) return;
      var keys = as.length === 1 ? [as[0].text] : as.slice(1).map(function (b, i) { return pairKey(as[i], b); });
      if (seen.has(keys.join("\n"))) return;
      seen.add(keys.join("\n"));
      out.push({ atoms: as, keys: keys });
    });
    return out;
  }

  function fnv1a(s) {
    var h = 0x811c9dc5;
    new TextEncoder().encode(s).forEach(function (b) { h = Math.imul(h ^ b, 0x01000193); });
    return h >>> 0;
  }

  function varints(s) {
    var out = [], v = 0, m = 1;
    for (var i = 0; i < s.length; i++) {
      var d = DIGITS.indexOf(s[i]);
      v += (d & 31) * m;
      if (d & 32) m *= 32; else { out.push(v); v = 0; m = 1; }
    }
    return out;
  }

  function fetchJson(path) {
    var url = base + path + (manifest ? "?v=" + manifest.build : "");
    if (!files.has(url)) {
      files.set(url, fetch(url).then(function (r) {
        if (!r.ok) throw new Error(path + ": " + r.status);
        return r.json();
      }));
    }
    return files.get(url);
  }

  async function postings(key, withPositions) {
    var shard = fnv1a(key) % manifest.shards;
    var ids = (await fetchJson("ids/" + shard + ".json"))[key];
    if (ids === undefined) return null;
    var docs = [], masks = [], next = 0;
    varints(ids).forEach(function (x) {
      var id = next + Math.floor(x / 8) - 1;
      docs.push(id); masks.push(x % 8); next = id + 1;
    });
    var positions = [];
    if (withPositions) {
      var p = varints((await fetchJson("positions/" + shard + ".json"))[key] || ""), k = 0;
      masks.forEach(function (mask) {
        var tiers = [[], [], []];
        for (var t = 0; t < 3; t++) {
          if (!(mask & (1 << t))) continue;
          for (var n = p[k++], q = 0; n > 0; n--) { q += p[k++]; tiers[t].push(q); }
        }
        positions.push(tiers);
      });
    }
    return { docs: docs, masks: masks, positions: positions };
  }

  // Map of document id to the best tier where the term occurs as one run.
  async function termHits(term) {
    var multi = term.keys.length > 1;
    var ps = await Promise.all(term.keys.map(function (key) { return postings(key, multi); }));
    var out = new Map();
    if (ps.some(function (p) { return !p; })) return out;
    var index = ps.map(function (p) { return new Map(p.docs.map(function (id, i) { return [id, i]; })); });
    ps[0].docs.forEach(function (id) {
      var at = index.map(function (m) { return m.get(id); });
      if (at.some(function (i) { return i === undefined; })) return;
      for (var t = 0; t < 3; t++) {
        var bit = 1 << t;
        if (!ps.every(function (p, k) { return p.masks[at[k]] & bit; })) continue;
        if (multi && !ps[0].positions[at[0]][t].some(function (start) {
          return ps.every(function (p, k) { return p.positions[at[k]][t].indexOf(start + k) >= 0; });
        })) continue;
        out.set(id, t);
        return;
      }
    });
    return out;
  }

  function districtOf(id) { return manifest.docDistricts[id]; }
  function yearOf(id) {
    var y = manifest.years.find(function (y) { return id >= y[1] && id < y[1] + y[2]; });
    return y ? String(y[0]) : "";
  }

  // Original-text ranges [from, to) where a term occurs as a run of atoms.
  function matches(text) {
    var as = atoms(text), ranges = [];
    terms.forEach(function (term) {
      var ta = term.atoms;
      for (var i = 0; i + ta.length <= as.length; i++) {
        if (ta.every(function (a, j) { return as[i + j].text === a.text && (j === 0 || as[i + j].gap === a.gap); })) {
          ranges.push([as[i].from, as[i + ta.length - 1].to]);
        }
      }
    });
    return ranges.sort(function (a, b) { return a[0] - b[0]; });
  }

  // A text node sequence of `text` (from..to) with the matches in <mark>.
  function marked(el, text, ranges, from, to) {
    var at = from;
    ranges.forEach(function (r) {
      var s = Math.max(r[0], at), e = Math.min(r[1], to);
      if (s >= e) return;
      el.append(text.slice(at, s));
      var m = document.createElement("mark");
      m.textContent = text.slice(s, e);
      el.append(m);
      at = e;
    });
    el.append(text.slice(at, to));
    return el;
  }

  function snippet(doc) {
    var el = document.createElement("p");
    el.className = "search-snippet";
    var texts = doc.highlights.concat([doc.body, doc.subtitle]);
    for (var i = 0; i < texts.length; i++) {
      var ranges = matches(texts[i]);
      if (!ranges.length) continue;
      var t = texts[i], from = Math.max(0, ranges[0][0] - 30), to = Math.min(t.length, ranges[0][1] + 70);
      if (/[\uDC00-\uDFFF]/.test(t[from] || "")) from--;
      if (/[\uDC00-\uDFFF]/.test(t[to] || "")) to++;
      if (from > 0) el.append("…");
      marked(el, t, ranges, from, to);
      if (to < t.length) el.append("…");
      return el;
    }
    return marked(el, doc.summary, matches(doc.summary), 0, doc.summary.length);
  }

  function item(doc) {
    var li = document.createElement("li"), h = document.createElement("h2"), a = document.createElement("a");
    li.className = "search-result";
    a.href = doc.url;
    h.append(marked(a, doc.title, matches(doc.title), 0, doc.title.length));
    var meta = document.createElement("p"), place = document.createElement("span"), time = document.createElement("time");
    meta.className = "search-meta";
    marked(place, doc.place, matches(doc.place), 0, doc.place.length);
    var d = doc.date.split("-");
    time.dateTime = doc.date;
    time.textContent = d[0] + "年" + Number(d[1]) + "月" + Number(d[2]) + "日";
    meta.append(place, " ", time);
    li.append(h, meta, snippet(doc));
    return li;
  }

  async function showMore() {
    var page = hits.slice(shown, shown + PAGE);
    shown += page.length;
    var docs = await Promise.all(page.map(async function (hit) {
      var chunk = await fetchJson("docs/" + Math.floor(hit.id / manifest.chunk) + ".json");
      return chunk[hit.id % manifest.chunk];
    }));
    docs.forEach(function (doc) { list.append(item(doc)); });
    more.hidden = shown >= hits.length;
  }

  function fillSelect(select, values, counts, chosen) {
    select.length = 1;
    values.forEach(function (v) {
      var o = new Option(v[1] + (counts ? "（" + (counts.get(v[0]) || 0) + "）" : ""), v[0]);
      o.selected = v[0] === chosen;
      select.add(o);
    });
  }

  async function run() {
    var params = new URLSearchParams(location.search);
    var q = params.get("q") || "", district = params.get("district") || "", year = params.get("year") || "";
    form.elements.q.value = q;
    list.textContent = "";
    more.hidden = true;
    terms = queryTerms(q);
    try {
      if (!manifest) {
        manifest = await fetchJson("manifest.json");
        if (manifest.format !== FORMAT) throw new Error("index format " + manifest.format);
        manifest.docDistricts = varints(manifest.doc_districts);
      }
      var found = new Map();
      if (terms.length) status.textContent = "正在搜索…";
      for (var i = 0; i < terms.length; i++) {
        var th = await termHits(terms[i]);
        found = i === 0 ? th : new Map(Array.from(found).filter(function (e) { return th.has(e[0]); })
          .map(function (e) { return [e[0], Math.max(e[1], th.get(e[0]))]; }));
      }
      var all = Array.from(found, function (e) { return { id: e[0], tier: e[1] }; });
      var byDistrict = new Map(), byYear = new Map();
      all.forEach(function (h) {
        var dn = manifest.districts[districtOf(h.id)], y = yearOf(h.id);
        byDistrict.set(dn, (byDistrict.get(dn) || 0) + 1);
        byYear.set(y, (byYear.get(y) || 0) + 1);
      });
      fillSelect(selDistrict, manifest.districts.map(function (d) { return [d, d]; }), terms.length && byDistrict, district);
      fillSelect(selYear, manifest.years.map(function (y) { return [String(y[0]), y[0] + "年"]; }), terms.length && byYear, year);
      hits = all.filter(function (h) {
        return (!district || manifest.districts[districtOf(h.id)] === district) && (!year || yearOf(h.id) === year);
      }).sort(function (a, b) { return a.tier - b.tier || a.id - b.id; });
      shown = 0;
      if (!terms.length) { status.textContent = q ? "请输入要搜索的文字。" : ""; return; }
      status.textContent = hits.length ? "找到 " + hits.length + " 篇报道" : "没有找到与“" + q + "”相关的报道。";
      await showMore();
    } catch (e) {
      status.textContent = "搜索暂时不可用（" + e.message + "）。";
    }
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var params = new URLSearchParams();
    ["q", "district", "year"].forEach(function (name) {
      var v = form.elements[name].value.trim();
      if (v) params.set(name, v);
    });
    history.pushState(null, "", "?" + params);
    run();
  });
  [selDistrict, selYear].forEach(function (s) { s.addEventListener("change", function () { form.requestSubmit(); }); });
  more.addEventListener("click", showMore);
  window.addEventListener("popstate", run);
  form.hidden = false;
  run();
})();
