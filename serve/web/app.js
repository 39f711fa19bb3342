// The page: pick, drop or paste an image; POST it to /v1/classify?crop=1;
// show it with the crop the model sees, the top 5 as bars, and the time.
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

let busy = false;

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
    const [x0, y0, x1, y1] = info.crop_box;
    box.style.left = (100 * x0 / info.width) + "%";
    box.style.top = (100 * y0 / info.height) + "%";
    box.style.width = (100 * (x1 - x0) / info.width) + "%";
    box.style.height = (100 * (y1 - y0) / info.height) + "%";
    box.hidden = false;
  };
  img.onerror = () => { // a format the browser cannot show (TIFF, say)
    img.removeAttribute("src");
    $("original-cap").textContent = "Your image (" + info.format + ", " + info.width + "×" + info.height +
      "; this browser cannot show it)";
  };
  if (img.dataset.url) URL.revokeObjectURL(img.dataset.url);
  img.dataset.url = URL.createObjectURL(file);
  img.src = img.dataset.url;
  $("original-cap").textContent = "Your image (" + info.format + ", " + info.width + "×" + info.height +
    "); the box is the part the model sees";
}

function showTop(top) {
  const ol = $("top");
  ol.replaceChildren();
  for (const c of top) {
    const li = document.createElement("li");
    li.dataset.index = c.index;
    li.dataset.prob = c.prob;
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
    prob.textContent = (100 * c.prob).toFixed(c.prob >= 0.1 ? 1 : c.prob >= 0.001 ? 2 : 3) + "%";
    li.append(label, track, prob);
    ol.append(li);
  }
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
      const words = problems[r.status] || "Something went wrong (HTTP " + r.status + ").";
      showError(words + (body && body.error ? " " + capital(body.error) + "." : ""));
      return;
    }
    const rtt = performance.now() - t0;
    showOriginal(file, body.image);
    $("crop").src = body.image.crop;
    showTop(body.top);
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
  loadModel();
}

setup();
