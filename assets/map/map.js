// notional's map.html: the data sits in <script id="notional-data">; Leaflet
// (vendored, inlined above this script) draws it in a plain planar CRS
// (British National Grid in km, or hex units), so no tiles and no network.
(function () {
  'use strict';
  var started = performance.now();
  var D = JSON.parse(document.getElementById('notional-data').textContent);
  var U = D.unit / 1000;
  var colour = {};
  D.parties.forEach(function (p, i) { colour[p] = D.colours[i]; });
  var GREY = '#cccccc';

  function num(v) { var x = typeof v === 'string' && v !== '' ? Number(v) : v; return typeof x === 'number' && isFinite(x) ? x : null; }
  function fmt(n) { return n == null ? '' : Math.round(n).toLocaleString('en-GB'); }
  function pct(n) { return n == null ? '' : n.toFixed(1) + '%'; }
  function esc(s) { return String(s).replace(/[&<>"']/g, function (c) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]; }); }
  function decode(g) {
    return g.map(function (poly) {
      return poly.map(function (r) {
        var out = [], x = 0, y = 0;
        for (var i = 0; i < r.length; i += 2) { x += r[i]; y += r[i + 1]; out.push([y * U, x * U]); }
        return out;
      });
    });
  }
  function hexCorners(c) {
    var out = [], rad = 1 / Math.sqrt(3);
    for (var k = 0; k < 6; k++) { var a = Math.PI / 180 * (60 * k + 30); out.push([c[1] + rad * Math.sin(a), c[0] + rad * Math.cos(a)]); }
    return out;
  }

  var seats = D.seats.map(function (s) {
    var p = s.p, total = num(p.total) || 0;
    return {
      code: s.code, name: s.name, p: p, comp: s.comp, g: s.g, c: s.c, h: s.h,
      winner: p.winner || null, second: p.second || null, total: total,
      majority: num(p.majority), majorityPct: num(p.majority_pct),
      partial: num(p.coverage) != null && num(p.coverage) < D.minCoverage,
      turnout: num(p.turnout), call: p.call || null, leader: p.leader || null,
      leaderP: num(p.leader_win_probability), later: p.later_result || null, laterWinner: p.later_winner || null,
      share: function (party) { var v = num(p[party]); return total > 0 && v != null ? v / total * 100 : null; }
    };
  });
  var byCode = {};
  seats.forEach(function (s) { byCode[s.code] = s; });
  var hasCall = seats.some(function (s) { return s.call; });
  var hasLater = seats.some(function (s) { return s.later; });

  // ---- themes: each gives a seat's fill and opacity, and a legend ----
  function bin(v, edges) { var i = 0; while (i < edges.length && v >= edges[i]) i++; return i; }
  var SHARE_EDGES = [10, 20, 30, 40, 50, 60], TURNOUT_EDGES = [50, 55, 60, 65, 70, 75], MAJ_EDGES = [5, 10, 20, 30];
  function ramp(i, n) { return 0.12 + 0.88 * i / n; }
  var themes = {
    winner: {
      label: 'Winner',
      style: function (s) { return s.winner ? { fill: colour[s.winner] || GREY, opacity: s.majorityPct != null && s.majorityPct < D.marginal ? 0.45 : 0.95 } : { fill: GREY, opacity: 1 }; },
      legend: function () {
        var n = count(function (s) { return s.winner; });
        return rowsOf(n, function (k) { return colour[k] || GREY; }) + note('Paler: majority under ' + D.marginal + '%.');
      }
    },
    majority: {
      label: 'Majority',
      style: function (s) { return s.winner ? { fill: colour[s.winner] || GREY, opacity: ramp(bin(s.majorityPct || 0, MAJ_EDGES), MAJ_EDGES.length) } : { fill: GREY, opacity: 1 }; },
      legend: function () { return bands(MAJ_EDGES, '#555555', '% majority') + note('In the winner\u2019s colour.'); }
    },
    share: {
      label: 'Party share',
      style: function (s) { var v = s.share(party.value); return v == null ? { fill: GREY, opacity: 1 } : { fill: colour[party.value] || '#555555', opacity: ramp(bin(v, SHARE_EDGES), SHARE_EDGES.length) }; },
      legend: function () { return bands(SHARE_EDGES, colour[party.value] || '#555555', '% ' + party.value); }
    },
    turnout: {
      label: 'Turnout',
      style: function (s) { return s.turnout == null ? { fill: GREY, opacity: 1 } : { fill: '#4b2991', opacity: ramp(bin(s.turnout, TURNOUT_EDGES), TURNOUT_EDGES.length) }; },
      legend: function () { return bands(TURNOUT_EDGES, '#4b2991', '% turnout'); }
    }
  };
  if (hasLater) themes.holdgain = {
    label: 'Hold or gain (later result)',
    style: function (s) {
      if (!s.later || !s.laterWinner) return { fill: GREY, opacity: 1 };
      return { fill: colour[s.laterWinner] || '#555555', opacity: / gain/.test(s.later) ? 0.95 : 0.25 };
    },
    legend: function () {
      var n = count(function (s) { return s.later; });
      return rowsOf(n, function (k) { var w = k.split(' ')[0]; return colour[w] || GREY; }, function (k) { return / gain/.test(k) ? 0.95 : 0.25; }) +
        note('Solid: the later winner gained the seat from its notional winner. Pale: held.');
    }
  };
  if (hasCall) themes.call = {
    label: 'Call (ensemble)',
    style: function (s) {
      var o = { safe: 0.95, likely: 0.65, lean: 0.35 }[s.call];
      return o ? { fill: colour[s.leader] || GREY, opacity: o } : { fill: '#888888', opacity: s.call ? 0.9 : 0.2 };
    },
    legend: function () {
      var n = count(function (s) { return s.call; });
      return ['safe', 'likely', 'lean', 'tossup'].map(function (k) {
        return row(k === 'tossup' ? '#888888' : '#555555', { safe: 0.95, likely: 0.65, lean: 0.35, tossup: 0.9 }[k], k + ' ' + (n[k] || 0));
      }).join('') + note('Safe: the leader wins 99% of draws; likely 90%; lean 70%; tossup below. In the leader\u2019s colour.');
    }
  };
  function count(f) { var n = {}; seats.forEach(function (s) { var k = !s.partial && f(s); if (k) n[k] = (n[k] || 0) + 1; }); return n; }
  function row(fill, opacity, text) { return '<div class="row"><span class="swatch" style="background:' + fill + ';opacity:' + opacity + '"></span>' + esc(text) + '</div>'; }
  function note(t) { return '<div class="note">' + esc(t) + '</div>'; }
  function rowsOf(n, fillOf, opacityOf) {
    return Object.keys(n).sort(function (a, b) { return n[b] - n[a] || (a < b ? -1 : 1); })
      .map(function (k) { return row(fillOf(k), opacityOf ? opacityOf(k) : 0.95, k + ' ' + n[k]); }).join('');
  }
  function bands(edges, fill, unit) {
    var out = '';
    for (var i = 0; i <= edges.length; i++) {
      var text = i === 0 ? 'under ' + edges[0] : i === edges.length ? edges[i - 1] + ' and over' : edges[i - 1] + '\u2013' + edges[i];
      out += row(fill, ramp(i, edges.length), text + unit);
    }
    return out;
  }

  // ---- the map ----
  var map = L.map('map', { crs: L.CRS.Simple, minZoom: -6, maxZoom: 10, zoomSnap: 0.25, zoomDelta: 0.5, keyboard: true, attributionControl: true });
  map.attributionControl.setPrefix('Leaflet');
  map.attributionControl.addAttribution(esc(D.attribution));
  var geo = L.layerGroup(), hex = L.layerGroup(), outline = L.layerGroup();
  var shapes = { geo: {}, hex: {} };
  function tip(s) {
    if (s.partial) return '<b>' + esc(s.name) + '</b><br>partial: ' + pct(num(s.p.coverage)) + ' covered by this run';
    return '<b>' + esc(s.name) + '</b><br>' + (s.winner ? esc(s.winner) + ', majority ' + fmt(s.majority) + ' (' + pct(s.majorityPct) + ')' : 'no votes');
  }
  function add(group, view, s, latlngs) {
    var shape = L.polygon(latlngs, { color: '#ffffff', weight: view === 'hex' ? 1 : 0.7, fillOpacity: 0.9 });
    shape.bindTooltip(function () { return tip(s); }, { sticky: true });
    shape.on('click', function () { select(s.code, false); });
    shape.on('add', function () {
      var el = shape.getElement();
      el.setAttribute('data-code', s.code);
      el.setAttribute('tabindex', '0');
      el.setAttribute('role', 'button');
      el.setAttribute('aria-label', s.name + (s.winner ? ': ' + s.winner : ''));
      el.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); select(s.code, false); } });
      el.addEventListener('focus', function () { shape.openTooltip(shape.getBounds().getCenter()); });
      el.addEventListener('blur', function () { shape.closeTooltip(); });
    });
    shape.addTo(group);
    shapes[view][s.code] = shape;
  }
  seats.forEach(function (s) {
    if (s.g.length) add(geo, 'geo', s, decode(s.g));
    if (s.h) add(hex, 'hex', s, hexCorners(s.h));
  });
  D.hexOnly.forEach(function (h) {
    L.polygon(hexCorners([h[1], h[2]]), { color: '#ffffff', weight: 1, fillColor: '#eeeeee', fillOpacity: 1 })
      .bindTooltip(esc(h[0]) + ': not in this run', { sticky: true }).addTo(hex);
  });
  D.old.forEach(function (o) {
    L.polygon(decode(o.g), { color: '#111111', weight: 1.2, dashArray: '4 3', fill: false, interactive: false }).addTo(outline);
  });

  // ---- controls ----
  var themeSel = document.getElementById('theme'), party = document.getElementById('party');
  Object.keys(themes).forEach(function (k) { var o = document.createElement('option'); o.value = k; o.textContent = themes[k].label; themeSel.appendChild(o); });
  D.parties.forEach(function (p) { var o = document.createElement('option'); o.value = p; o.textContent = p; party.appendChild(o); });
  var PARTIAL = { fill: '#e4e4e4', opacity: 1 };
  function restyle() {
    var t = themes[themeSel.value];
    party.parentNode.hidden = themeSel.value !== 'share';
    ['geo', 'hex'].forEach(function (v) {
      Object.keys(shapes[v]).forEach(function (code) {
        var st = byCode[code].partial ? PARTIAL : t.style(byCode[code]);
        shapes[v][code].setStyle({ fillColor: st.fill, fillOpacity: st.opacity, color: code === selected ? '#000000' : '#ffffff', weight: code === selected ? 3 : (v === 'hex' ? 1 : 0.7) });
      });
    });
    var partial = seats.filter(function (s) { return s.partial; }).length;
    document.getElementById('legend').innerHTML = '<h2>' + esc(t.label) + '</h2>' + t.legend() +
      (partial ? row(PARTIAL.fill, 1, partial + ' partial: under ' + D.minCoverage + '% covered by this run’s units') : '') +
      (D.missing.length ? note(D.missing.length + ' seat(s) not in the hex layout, not drawn there: ' + D.missing.join(', ')) : '');
  }
  themeSel.addEventListener('change', restyle);
  party.addEventListener('change', restyle);

  var view = null;
  var outlineBox = document.getElementById('outline');
  if (!D.old.length) outlineBox.parentNode.hidden = true;
  function setView(v) {
    if (v === 'hex' && !D.hasHex) return;
    view = v;
    [geo, hex, outline].forEach(function (g) { map.removeLayer(g); });
    (v === 'geo' ? geo : hex).addTo(map);
    if (v === 'geo' && outlineBox.checked) outline.addTo(map);
    outlineBox.disabled = v !== 'geo';
    document.querySelectorAll('.views button').forEach(function (b) { b.setAttribute('aria-pressed', String(b.dataset.view === v)); });
    var b = bounds(v);
    if (b) map.fitBounds(b, { padding: [10, 10] });
  }
  function bounds(v) {
    var b = null;
    Object.keys(shapes[v]).forEach(function (c) { var x = shapes[v][c].getBounds(); b = b ? b.extend(x) : L.latLngBounds(x.getSouthWest(), x.getNorthEast()); });
    return b;
  }
  document.querySelectorAll('.views button').forEach(function (b) {
    if (b.dataset.view === 'hex' && !D.hasHex) { b.hidden = true; }
    b.addEventListener('click', function () { setView(b.dataset.view); });
  });
  outlineBox.addEventListener('change', function () { if (outlineBox.checked && view === 'geo') outline.addTo(map); else map.removeLayer(outline); });

  // ---- the seat panel ----
  var selected = null;
  function select(code, zoom) {
    var s = byCode[code];
    if (!s) return false;
    selected = code;
    restyle();
    var shape = shapes[view][code];
    if (shape) {
      shape.bringToFront();
      if (zoom) map.fitBounds(shape.getBounds(), { maxZoom: map.getBoundsZoom(shape.getBounds()) - 1, padding: [40, 40] });
    }
    document.getElementById('panel').innerHTML = panel(s);
    return true;
  }
  function panel(s) {
    var h = '<h2>' + esc(s.name) + ' <span class="muted">' + esc(s.code) + '</span></h2>';
    if (s.partial) h += '<p><b>Partial:</b> only ' + pct(num(s.p.coverage)) + ' of this seat is covered by the run’s units; these are the votes of that part.</p>';
    if (s.winner) h += '<p>Notional <b>' + esc(s.winner) + '</b>, majority ' + fmt(s.majority) + ' (' + pct(s.majorityPct) + ')' + (s.second ? ' over ' + esc(s.second) : '') + '.</p>';
    var rows = D.parties.map(function (p) { return [p, num(s.p[p]) || 0]; }).filter(function (r) { return r[1] > 0; })
      .sort(function (a, b) { return b[1] - a[1]; });
    h += '<table><thead><tr><th>Party</th><th>Votes</th><th>Share</th></tr></thead><tbody>' + rows.map(function (r) {
      return '<tr><td><span class="chip" style="background:' + (colour[r[0]] || GREY) + '"></span>' + esc(r[0]) + '</td><td>' + fmt(r[1]) + '</td><td>' + pct(s.total ? r[1] / s.total * 100 : null) + '</td></tr>';
    }).join('') + '<tr><th>Total</th><th>' + fmt(s.total) + '</th><th></th></tr></tbody></table>';
    var facts = [];
    if (num(s.p.electorate) != null) facts.push('Electorate ' + fmt(num(s.p.electorate)));
    if (s.turnout != null) facts.push('turnout ' + pct(s.turnout));
    if (num(s.p.from_local_pattern) != null) facts.push(pct(num(s.p.from_local_pattern)) + ' estimated from local patterns');
    if (facts.length) h += '<p class="muted">' + esc(facts.join('; ')) + '.</p>';
    if (s.call) h += '<h2>How sure</h2><p>' + esc(s.leader) + ' leads in ' + Math.round((s.leaderP || 0) * 100) + '% of the ensemble\u2019s draws: <b>' + esc(s.call) + '</b>.</p>';
    if (s.comp.length) {
      h += '<h2>Made of</h2><table><tbody>' + s.comp.filter(function (c) { return c[2] >= 0.05; }).map(function (c) {
        return '<tr><td>' + esc(c[1] || c[0]) + '</td><td>' + c[2].toFixed(1) + '%</td></tr>';
      }).join('') + '</tbody></table><p class="muted">Share of the new seat from each old seat.</p>';
    }
    if (s.later) {
      h += '<h2>Later result</h2><p>' + esc(s.later);
      if (num(s.p.swing) != null) h += '; swing ' + num(s.p.swing).toFixed(1) + ' points from ' + esc(s.p.swing_from) + ' to ' + esc(s.p.swing_to);
      h += '.</p>';
    }
    return h;
  }

  // ---- search ----
  var input = document.getElementById('search'), list = document.getElementById('matches'), active = -1, found = [];
  function fold(t) { return t.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase(); }
  var names = seats.map(function (s) { return fold(s.name + ' ' + s.code); });
  function showMatches() {
    var q = fold(input.value.trim());
    found = q ? seats.filter(function (s, i) { return names[i].indexOf(q) >= 0; }).slice(0, 10) : [];
    active = found.length ? 0 : -1;
    list.innerHTML = found.map(function (s, i) { return '<li role="option" id="m' + i + '" data-code="' + esc(s.code) + '" aria-selected="' + (i === active) + '">' + esc(s.name) + '</li>'; }).join('');
    list.hidden = !found.length;
    input.setAttribute('aria-expanded', String(found.length > 0));
  }
  function choose(i) { if (found[i]) { select(found[i].code, true); list.hidden = true; input.setAttribute('aria-expanded', 'false'); } }
  input.addEventListener('input', showMatches);
  input.addEventListener('keydown', function (e) {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!found.length) return;
      active = (active + (e.key === 'ArrowDown' ? 1 : found.length - 1)) % found.length;
      Array.prototype.forEach.call(list.children, function (li, i) { li.setAttribute('aria-selected', String(i === active)); });
      input.setAttribute('aria-activedescendant', 'm' + active);
    } else if (e.key === 'Enter') { e.preventDefault(); choose(active < 0 ? 0 : active); }
    else if (e.key === 'Escape') { list.hidden = true; }
  });
  list.addEventListener('click', function (e) { var li = e.target.closest('li'); if (li) choose(Array.prototype.indexOf.call(list.children, li)); });

  setView('geo');
  restyle();
  // For scripts and tests: where a seat is on screen, and how long drawing took.
  window.notional = {
    map: map,
    view: function (v) { setView(v); return view; },
    theme: function (t) { themeSel.value = t; restyle(); return themeSel.value === t; },
    select: function (code) { return select(code, true); },
    zoomTo: function (code) {
      var s = shapes[view][code];
      if (!s) return false;
      map.fitBounds(s.getBounds(), { padding: [120, 120], animate: false });
      return true;
    },
    fill: function (code) { var s = shapes[view][code]; return s ? s.options.fillColor : null; },
    screenPoint: function (code) {
      var s = byCode[code];
      if (!s) return null;
      var ll = view === 'hex' ? (s.h ? L.latLng(s.h[1], s.h[0]) : null) : (s.c ? L.latLng(s.c[1] * U, s.c[0] * U) : null);
      if (!ll) return null;
      var p = map.latLngToContainerPoint(ll), r = map.getContainer().getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    drawnMs: performance.now() - started
  };
  document.body.setAttribute('data-ready', 'true');
})();
