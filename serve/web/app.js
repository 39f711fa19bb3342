// The page: pick, drop or paste an image; POST it to /v1/classify?crop=1;
// show it with the crop the model sees, the top 5 as bars, and the time.
// "Why?" POSTs the same image to /v1/explain for the class picked in the
// top 5 and lays the Grad-CAM heat map over the crop and over its box in
// the photo.
"use strict";

const $ = (id) => document.getElementById(id);

// Plain words for each status the API answers with; the server's own
// message follows.
const problems = {
  400: "This image could not be read.",
  405: "The server refused the request.",
  413: "This file is too big.",
  415: "This file is not an image the server can read.",
  422: "This image has too many pixels.",
  429: "The server is busy.",
  503: "The server is busy or restarting.",
};

// The answers of /v1/explain that differ from those of /v1/classify.
const explainProblems = {
  ...problems,
  400: "The server could not explain this class.",
  404: "This server cannot explain its answers.",
  501: "This server runs an int8 model, which cannot explain its answers.",
};

let busy = false;

// The "why?" state: the image on the page, the class picked in its top 5,
// and the explanation asked for. One request to /v1/explain runs at a
// time; what is asked meanwhile replaces what was waiting (the latest
// wins).
let shown = null; // {file, top}
let selected = -1; // the class index picked
let wanted = null; // {file, cls}: what the overlay should show
let explaining = false;

function showError(text) {
  const e = $("error");
  e.textContent = text;
  e.hidden = false;
  $("status").textContent = "";
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

// problem says in plain words what the answer r (with its JSON body)
// means; words holds the words of each status.
function problem(r, body, words) {
  const w = words[r.status] || "Something went wrong (HTTP " + r.status + ").";
  return w + (body && body.error ? " " + capital(body.error) + "." : "");
}

function bytes(n) {
  return n >= 1 << 20 ? (n / (1 << 20)).toFixed(0) + " MB" : (n / 1024).toFixed(0) + " KB";
}

async function loadModel() {
  try {
    const r = await fetch("/v1/model");
    const m = await r.json();
    $("model").textContent = "Model: " + m.model;
    $("limits").textContent = "JPEG, PNG, GIF, BMP, WebP or TIFF; up to " + bytes(m.max_body_bytes) +
      " and " + (m.max_pixels / 1e6).toFixed(0) + " megapixels.";
    $("crop-cap").textContent = "What the model sees (" + m.input_size + "×" + m.input_size + ")";
  } catch (err) {
    // The page still works; the limits are just not shown.
  }
}

function showOriginal(file, info) {
  const img = $("original");
  const box = $("box");
  box.hidden = true;
  img.onload = () => {
    placeOnBox(box, info);
    box.hidden = false;
    syncHeat();
  };
  img.onerror = () => { // a format the browser cannot show (TIFF, say)
    img.removeAttribute("src");
    syncHeat();
    $("original-cap").textContent = "Your image (" + info.format + ", " + info.width + "×" + info.height +
      "; this browser cannot show it)";
  };
  if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
  img.dataset.url = URL.createObjectURL(file);
  img.src = img.dataset.url;
  $("original-cap").textContent = "Your image (" + info.format + ", " + info.width + "×" + info.height +
    "); the box is the part the model sees";
}

// placeOnBox sets el's position and size to the crop box of the image
// info describes, in percent of the image.
function placeOnBox(el, info) {
  const [x0, y0, x1, y1] = info.crop_box;
  el.style.left = (100 * x0 / info.width) + "%";
  el.style.top = (100 * y0 / info.height) + "%";
  el.style.width = (100 * (x1 - x0) / info.width) + "%";
  el.style.height = (100 * (y1 - y0) / info.height) + "%";
}

function showTop(top) {
  const ol = $("top");
  ol.replaceChildren();
  for (const c of top) {
    const li = document.createElement("li");
    li.dataset.index = c.index;
    li.dataset.prob = c.prob;
    li.setAttribute("role", "option");
    const label = document.createElement("span");
    label.className = "label";
    label.textContent = c.label + " ";
    const idx = document.createElement("small");
    idx.textContent = "#" + c.index;
    label.append(idx);
    label.title = c.label;
    const track = document.createElement("span");
    track.className = "track";
    const fill = document.createElement("span");
    fill.className = "fill";
    fill.style.display = "block";
    fill.style.width = (100 * c.prob).toFixed(2) + "%";
    track.append(fill);
    const prob = document.createElement("span");
    prob.className = "prob";
    prob.textContent = percent(c.prob);
    li.append(label, track, prob);
    ol.append(li);
  }
}

// select picks class index in the top 5 (the highlighted row, the one Tab
// reaches) and, with "why?" on, explains it.
function select(index) {
  selected = index;
  for (const li of $("top").children) {
    const on = +li.dataset.index === index;
    li.setAttribute("aria-selected", on);
    li.tabIndex = on ? 0 : -1;
  }
  explainWanted();
}

function whyOn() {
  return $("why").getAttribute("aria-pressed") === "true";
}

function setWhy(on) {
  $("why").setAttribute("aria-pressed", on);
  if (on) {
    explainWanted();
  } else {
    wanted = null; // an answer in flight is dropped
    $("pictures").removeAttribute("aria-busy");
  }
  syncHeat();
  whyCaption();
}

// whyCaption says what the toggle does, or what is being explained.
function whyCaption(text) {
  const cap = $("why-cap");
  if (text !== undefined) cap.textContent = text;
  else if (!whyOn()) cap.textContent = "Shows which parts of the image led the model to the class picked in the top 5.";
}

// heatShown: the overlays hold the map of the image on the page.
function heatShown() {
  return $("heat-crop").hasAttribute("src");
}

// syncHeat shows the overlays when "why?" is on and they hold the map of
// the image on the page; the one over the photo only once the photo, and
// its box, are shown.
function syncHeat() {
  const on = whyOn() && heatShown();
  $("heat-crop").hidden = !on;
  $("heat-original").hidden = !on || $("box").hidden;
}

// clearHeat empties the overlays (a new image).
function clearHeat() {
  for (const id of ["heat-crop", "heat-original"]) {
    const img = $(id);
    img.removeAttribute("src");
    delete img.dataset.class;
  }
  syncHeat();
}

// explainWanted asks for the explanation of the selected class of the
// image on the page, if "why?" is on.
function explainWanted() {
  if (!whyOn() || !shown || selected < 0) return;
  const c = shown.top.find((c) => c.index === selected);
  wanted = { file: shown.file, cls: selected };
  clearError();
  $("pictures").setAttribute("aria-busy", "true");
  whyCaption("Explaining “" + (c ? c.label : "#" + selected) + "”…");
  if (!explaining) explainLoop();
}

// explainLoop runs the wanted explanations one at a time until none is
// left; an answer to a question no longer wanted is dropped.
async function explainLoop() {
  explaining = true;
  try {
    while (wanted) {
      const w = wanted;
      const answer = await fetchExplain(w);
      if (wanted !== w) continue; // asked something else meanwhile, or turned off
      wanted = null;
      $("pictures").removeAttribute("aria-busy");
      if (answer.error) {
        showError(answer.error);
        setWhy(false);
      } else {
        showHeat(answer.body);
      }
    }
  } finally {
    explaining = false;
  }
}

// fetchExplain POSTs w.file to /v1/explain for class w.cls: {body} or
// {error} in plain words.
async function fetchExplain(w) {
  let r;
  try {
    r = await fetch("/v1/explain?method=gradcam&top=5&class=" + w.cls, {
      method: "POST",
      headers: { "Content-Type": w.file.type || "application/octet-stream" },
      body: w.file,
    });
  } catch (err) {
    return { error: "Could not reach the server. Is it running?" };
  }
  let body = null;
  try { body = await r.json(); } catch (err) { /* not JSON */ }
  if (!r.ok || !body) return { error: problem(r, body, explainProblems) };
  return { body };
}

// showHeat lays the heat map of the answer b over the crop and over the
// crop box of the photo, and says what it shows.
function showHeat(b) {
  const alt = "Grad-CAM heat map of “" + b.class.label + "”";
  for (const id of ["heat-crop", "heat-original"]) {
    const img = $(id);
    img.src = b.heatmap;
    img.alt = alt;
    img.dataset.class = b.class.index;
  }
  placeOnBox($("heat-original"), b.image);
  syncHeat();
  const empty = b.map.values.every((v) => v === 0);
  whyCaption("Why “" + b.class.label + "” (#" + b.class.index + ", " + percent(b.class.prob) + ")? " +
    (empty ? "No region raised this class's score: the map is empty (all blue)."
      : "Red marks the regions whose activations raised this class's score most, blue those that raised it least.") +
    " Grad-CAM of the last convolutional layer (" + b.layer + ").");
}

function percent(p) {
  return (100 * p).toFixed(p >= 0.1 ? 1 : p >= 0.001 ? 2 : 3) + "%";
}

async function classify(file) {
  if (!file || busy) return;
  busy = true;
  clearError();
  $("status").textContent = "Classifying " + (file.name || "the pasted image") + "…";
  const t0 = performance.now();
  try {
    let r;
    try {
      r = await fetch("/v1/classify?top=5&crop=1", {
        method: "POST",
        headers: { "Content-Type": file.type || "application/octet-stream" },
        body: file,
      });
    } catch (err) {
      showError("Could not reach the server. Is it running?");
      return;
    }
    let body = null;
    try { body = await r.json(); } catch (err) { /* not JSON */ }
    if (!r.ok) {
      showError(problem(r, body, problems));
      return;
    }
    const rtt = performance.now() - t0;
    shown = { file, top: body.top };
    clearHeat();
    showOriginal(file, body.image);
    $("crop").src = body.image.crop;
    showTop(body.top);
    select(body.top.length ? body.top[0].index : -1);
    whyCaption();
    $("timing").textContent = "Server: " + body.ms.toFixed(1) + " ms (forward pass shared by " + body.batch +
      " image" + (body.batch === 1 ? "" : "s") + "); round trip " + rtt.toFixed(0) + " ms.";
    $("result").hidden = false;
    $("status").textContent = "Done: " + (file.name || "pasted image") + ".";
  } finally {
    busy = false;
  }
}

function capital(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function setup() {
  const drop = $("drop");
  $("file").addEventListener("change", (e) => {
    const f = e.target.files[0];
    e.target.value = ""; // so that choosing the same file again is a change
    classify(f);
  });
  drop.addEventListener("keydown", (e) => {
    if (e.key === "Enter" || e.key === " ") { e.preventDefault(); $("file").click(); }
  });
  for (const ev of ["dragenter", "dragover"]) {
    drop.addEventListener(ev, (e) => { e.preventDefault(); drop.classList.add("over"); });
  }
  for (const ev of ["dragleave", "drop"]) {
    drop.addEventListener(ev, () => drop.classList.remove("over"));
  }
  // A drop anywhere on the page counts; the browser must not open the file.
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => {
    e.preventDefault();
    const f = e.dataTransfer && e.dataTransfer.files[0];
    if (f) classify(f);
    else showError("Drop an image file (a link or text cannot be classified).");
  });
  document.addEventListener("paste", (e) => {
    const items = (e.clipboardData && e.clipboardData.items) || [];
    for (const it of items) {
      if (it.kind === "file") { classify(it.getAsFile()); return; }
    }
    showError("The clipboard holds no image. Copy an image (not its address) and paste again.");
  });
  $("why").addEventListener("click", () => setWhy(!whyOn()));
  const top = $("top");
  top.addEventListener("click", (e) => {
    const li = e.target.closest("li");
    if (li) select(+li.dataset.index);
  });
  top.addEventListener("keydown", (e) => {
    const li = e.target.closest("li");
    if (!li) return;
    let to = null;
    switch (e.key) {
    case "Enter": case " ": e.preventDefault(); select(+li.dataset.index); return;
    case "ArrowDown": to = li.nextElementSibling; break;
    case "ArrowUp": to = li.previousElementSibling; break;
    case "Home": to = top.firstElementChild; break;
    case "End": to = top.lastElementChild; break;
    default: return;
    }
    e.preventDefault();
    if (to) to.focus();
  });
  whyCaption();
  loadModel();
}

setup();
