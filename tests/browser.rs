//! A map.html opened in headless Chromium, driven through the DevTools
//! protocol over one WebSocket (tungstenite), and checked for what a person
//! would see: it loads without console errors or network requests, a seat
//! is in its winner's colour, hovering it shows its result, clicking it
//! opens the result table, the hex view holds every hex, search finds a
//! seat. Screenshots of both views go to `target/screenshots/`.

use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tungstenite::stream::MaybeTlsStream;
use tungstenite::{Message, WebSocket};

/// A headless Chromium with one page, attached in flat mode.
pub struct Browser {
    child: Child,
    ws: WebSocket<MaybeTlsStream<TcpStream>>,
    session: String,
    next: u64,
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    /// Starts Chromium (`$CHROMIUM` or `chromium`) with a fresh profile and
    /// the flags this closed network needs.
    pub fn launch() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let bin = std::env::var("CHROMIUM").unwrap_or_else(|_| "chromium".into());
        let mut child = Command::new(&bin)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--remote-debugging-port=0",
                "--window-size=1400,900",
            ])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {bin} ({e}): the browser tests need Chromium (apt-get install chromium)"));
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let url = loop {
            let line = lines.next().expect("chromium exited before listening").unwrap();
            if let Some(u) = line.strip_prefix("DevTools listening on ") {
                break u.trim().to_string();
            }
        };
        // Keep draining its stderr so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        let (ws, _) = tungstenite::connect(url.as_str()).unwrap();
        if let MaybeTlsStream::Plain(s) = ws.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        }
        let mut b = Browser { child, ws, session: String::new(), next: 0, events: Vec::new(), _profile: profile };
        let target = b.send(None, "Target.createTarget", json!({"url": "about:blank"}))["targetId"].clone();
        b.session = b.send(None, "Target.attachToTarget", json!({"targetId": target, "flatten": true}))["sessionId"].as_str().unwrap().to_string();
        for domain in ["Runtime.enable", "Log.enable", "Page.enable", "Network.enable"] {
            b.call(domain, json!({}));
        }
        b.call("Emulation.setDeviceMetricsOverride", json!({"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": false}));
        b
    }

    fn send(&mut self, session: Option<String>, method: &str, params: Value) -> Value {
        self.next += 1;
        let id = self.next;
        let mut msg = json!({"id": id, "method": method, "params": params});
        if let Some(s) = session {
            msg["sessionId"] = json!(s);
        }
        self.ws.send(Message::text(msg.to_string())).unwrap();
        loop {
            let m = self.ws.read().unwrap_or_else(|e| panic!("{method}: {e}"));
            let Message::Text(t) = m else { continue };
            let v: Value = serde_json::from_str(&t).unwrap();
            if v["id"] == json!(id) {
                assert!(v.get("error").is_none(), "{method}: {}", v["error"]);
                return v["result"].clone();
            }
            if v.get("method").is_some() {
                self.events.push(v);
            }
        }
    }

    /// A command to the page.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let s = self.session.clone();
        self.send(Some(s), method, params)
    }

    /// The value of a JavaScript expression (promises awaited).
    pub fn eval(&mut self, expr: &str) -> Value {
        let r = self.call("Runtime.evaluate", json!({"expression": expr, "returnByValue": true, "awaitPromise": true}));
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {}", r["exceptionDetails"]);
        r["result"]["value"].clone()
    }

    /// Waits until `expr` is true; how long it took.
    pub fn wait_for(&mut self, expr: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        while self.eval(expr) != json!(true) {
            assert!(start.elapsed() < limit, "still not {expr} after {limit:?}");
            std::thread::sleep(Duration::from_millis(20));
        }
        start.elapsed()
    }

    /// A mouse event at page coordinates (`mouseMoved`, `mousePressed`, `mouseReleased`).
    pub fn mouse(&mut self, kind: &str, x: f64, y: f64) {
        let button = if kind == "mouseMoved" { "none" } else { "left" };
        self.call("Input.dispatchMouseEvent", json!({"type": kind, "x": x, "y": y, "button": button, "clickCount": 1}));
    }

    /// A left click at page coordinates.
    pub fn click(&mut self, x: f64, y: f64) {
        self.mouse("mouseMoved", x, y);
        self.mouse("mousePressed", x, y);
        self.mouse("mouseReleased", x, y);
    }

    /// Types text into the focused element, then presses a key.
    pub fn type_text(&mut self, text: &str) {
        self.call("Input.insertText", json!({"text": text}));
    }

    /// Presses and releases a key such as `Enter`.
    pub fn key(&mut self, key: &str, code: u32) {
        for kind in ["keyDown", "keyUp"] {
            self.call("Input.dispatchKeyEvent", json!({"type": kind, "key": key, "code": key, "windowsVirtualKeyCode": code}));
        }
    }

    /// Saves a PNG of the viewport.
    pub fn screenshot(&mut self, path: &Path) {
        let data = self.call("Page.captureScreenshot", json!({"format": "png"}))["data"].as_str().unwrap().to_string();
        std::fs::write(path, data_encoding::BASE64.decode(data.as_bytes()).unwrap()).unwrap();
    }

    /// Console errors, uncaught exceptions and error log entries so far.
    pub fn errors(&self) -> Vec<String> {
        self.events
            .iter()
            .filter_map(|e| match e["method"].as_str()? {
                "Runtime.exceptionThrown" => Some(e["params"]["exceptionDetails"].to_string()),
                "Runtime.consoleAPICalled" if e["params"]["type"] == "error" => Some(e["params"]["args"].to_string()),
                "Log.entryAdded" if e["params"]["entry"]["level"] == "error" => Some(e["params"]["entry"]["text"].to_string()),
                _ => None,
            })
            .collect()
    }

    /// Every request the page made other than for the file itself and inline data.
    pub fn requests(&self, page: &str) -> Vec<String> {
        self.events
            .iter()
            .filter(|e| e["method"] == "Network.requestWillBeSent")
            .filter_map(|e| e["params"]["request"]["url"].as_str().map(str::to_string))
            .filter(|u| u != page && !u.starts_with("data:"))
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the browser test measured of one map.
pub struct MapFigures {
    /// map.html's size in bytes.
    pub bytes: u64,
    /// From navigation to the page's ready flag.
    pub load: Duration,
    /// The page's own time from its script's start to drawn.
    pub drawn_ms: f64,
}

impl std::fmt::Display for MapFigures {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(f, "{} bytes, loaded and drawn in {:.0} ms ({:.0} ms of it drawing)", self.bytes, self.load.as_secs_f64() * 1000.0, self.drawn_ms)
    }
}

/// Where the screenshots go.
pub fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Opens `dir/map.html` and checks it as a person would see it: `seat`
/// (id and name) drawn in `colour`, its tooltip and panel showing `winner`
/// and the `votes` it had, `hexes` hexes in the hex view, search finding
/// it. Saves `<shots>_geo.png` and `<shots>_hex.png`.
pub fn check_map(dir: &Path, seat: (&str, &str), winner: &str, colour: &str, votes: &str, hexes: usize, shots: &str) -> MapFigures {
    let page = dir.join("map.html");
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    let mut b = Browser::launch();
    let start = Instant::now();
    b.call("Page.navigate", json!({"url": url}));
    b.wait_for("document.body !== null && document.body.dataset.ready === 'true'", Duration::from_secs(30));
    let load = start.elapsed();
    let drawn_ms = b.eval("window.notional.drawnMs").as_f64().unwrap();
    let (code, name) = seat;
    let sel = format!(r#"document.querySelector('.leaflet-overlay-pane path[data-code="{code}"]')"#);

    // Geographic view: the seat in its winner's colour.
    assert_eq!(b.eval(&format!("{sel}.getAttribute('fill')")), json!(colour), "{name}'s fill");
    b.screenshot(&screenshots().join(format!("{shots}_geo.png")));

    // The old boundaries, where the run had old seats: a click on the box draws them over the seats.
    if b.eval("document.getElementById('outline').parentNode.hidden") == json!(false) {
        let paths = "document.querySelectorAll('.leaflet-overlay-pane path').length";
        let before = b.eval(paths).as_u64().unwrap();
        let r = b.eval("(() => { const r = document.getElementById('outline').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()");
        b.click(r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        let after = b.eval(paths).as_u64().unwrap();
        assert!(after > before, "old outlines drawn: {before} → {after} paths");
        b.screenshot(&screenshots().join(format!("{shots}_outline.png")));
        b.click(r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
        assert_eq!(b.eval(paths).as_u64().unwrap(), before);
    }

    // Hover: the tooltip names the seat and its winner.
    b.eval(&format!("window.notional.zoomTo('{code}')"));
    b.wait_for("!window.notional.map._animatingZoom", Duration::from_secs(5));
    let p = b.eval(&format!("window.notional.screenPoint('{code}')"));
    let (x, y) = (p["x"].as_f64().unwrap(), p["y"].as_f64().unwrap());
    assert_eq!(b.eval(&format!("document.elementFromPoint({x}, {y}).getAttribute('data-code')")), json!(code), "the seat is under the pointer");
    b.mouse("mouseMoved", x, y);
    b.wait_for("document.querySelector('.leaflet-tooltip') !== null", Duration::from_secs(5));
    let tip = b.eval("document.querySelector('.leaflet-tooltip').innerText").as_str().unwrap().to_string();
    assert!(tip.contains(name) && tip.contains(winner), "tooltip: {tip}");

    // Click: the panel shows the seat's result table.
    b.click(x, y);
    let panel = b.eval("document.getElementById('panel').innerText").as_str().unwrap().to_string();
    assert!(panel.contains(name) && panel.contains(votes) && panel.contains("Party"), "panel: {panel}");

    // Hex view, through its button: every hex drawn, the seat in its colour.
    let r = b.eval("(() => { const r = document.querySelector('button[data-view=hex]').getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()");
    b.click(r[0].as_f64().unwrap(), r[1].as_f64().unwrap());
    assert_eq!(b.eval("document.querySelectorAll('.leaflet-overlay-pane path').length"), json!(hexes), "hexes drawn");
    assert_eq!(b.eval(&format!("{sel}.getAttribute('fill')")), json!(colour), "{name}'s hex");
    b.screenshot(&screenshots().join(format!("{shots}_hex.png")));

    // Search: typing part of the name lists it; Enter opens it.
    b.eval("document.getElementById('search').focus()");
    b.type_text(&name[..name.len().min(12)]);
    let listed = b.eval("document.getElementById('matches').innerText").as_str().unwrap().to_string();
    assert!(listed.contains(name), "search lists: {listed}");
    b.eval("document.getElementById('panel').innerHTML = ''");
    let first = listed.lines().position(|l| l == name).unwrap();
    for _ in 0..first {
        b.key("ArrowDown", 40);
    }
    b.key("Enter", 13);
    let panel = b.eval("document.getElementById('panel').innerText").as_str().unwrap().to_string();
    assert!(panel.contains(name), "search opened: {panel}");

    // The themes all draw.
    for t in b.eval("Array.from(document.getElementById('theme').options).map(o => o.value)").as_array().unwrap().clone() {
        assert_eq!(b.eval(&format!("window.notional.theme({t})")), json!(true));
    }
    assert_eq!(b.errors(), Vec::<String>::new(), "console errors");
    assert_eq!(b.requests(&url), Vec::<String>::new(), "requests beyond the file");
    MapFigures { bytes: std::fs::metadata(&page).unwrap().len(), load, drawn_ms }
}
