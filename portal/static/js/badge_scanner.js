// Scanning badges at the check-in desk (data-badge-scanner): the camera of the phone or laptop
// reads a badge's QR code, with the browser's own BarcodeDetector where it has one, else with
// jsQR (vendored from npm, loaded only then); what it reads becomes a "badge-decoded" event on
// the section, and so does the code typed (or typed by a hand scanner) into the box. Each is
// posted to the check-in by badge, the outcome said in the polite live region, and the box is
// ready for the next. Without JavaScript the box is a plain form.
(function () {
  "use strict";
  var root = document.querySelector("[data-badge-scanner]");
  if (!root) { return; }
  var form = root.querySelector("[data-scanner-form]");
  var input = form.querySelector("input[name=badge]");
  var result = root.querySelector("[data-scanner-result]");
  var camera = root.querySelector("[data-scanner-camera]");
  var startButton = root.querySelector("[data-scanner-start]");
  var stopButton = root.querySelector("[data-scanner-stop]");
  var video = root.querySelector("[data-scanner-video]");
  var stream = null;
  var timer = null;
  // The same badge seen again within this many milliseconds is not sent again.
  var REPEAT_MS = 4000;
  var last = { text: "", at: 0 };

  function say(message, ok) {
    result.textContent = message;
    result.className = "scan-result " + (ok ? "status-live" : "error");
  }

  function checkIn(text) {
    var body = new FormData(form);
    body.set("badge", text);
    return fetch(form.action, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.json();
    }).then(function (answer) {
      say(answer.message, answer.ok);
    }).catch(function () {
      say(root.getAttribute("data-unreadable"), false);
    });
  }

  root.addEventListener("badge-decoded", function (event) {
    var text = String(event.detail || "").trim();
    var now = Date.now();
    if (!text || (text === last.text && now - last.at < REPEAT_MS)) { return; }
    last = { text: text, at: now };
    checkIn(text);
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    input.value = "";
    last = { text: "", at: 0 };
    root.dispatchEvent(new CustomEvent("badge-decoded", { detail: text }));
    input.focus();
  });

  if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { return; }
  camera.hidden = false;

  function loadJsQR() {
    if (window.jsQR) { return Promise.resolve(window.jsQR); }
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = root.getAttribute("data-decoder");
      script.onload = function () { resolve(window.jsQR); };
      script.onerror = reject;
      document.head.appendChild(script);
    });
  }

  function reader() {
    if ("BarcodeDetector" in window) {
      return window.BarcodeDetector.getSupportedFormats().then(function (formats) {
        if (formats.indexOf("qr_code") < 0) { return canvasReader(); }
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        return function () {
          return detector.detect(video).then(function (codes) {
            return codes.length ? codes[0].rawValue : null;
          });
        };
      });
    }
    return canvasReader();
  }

  function canvasReader() {
    return loadJsQR().then(function (jsQR) {
      var canvas = document.createElement("canvas");
      var context = canvas.getContext("2d", { willReadFrequently: true });
      return function () {
        var width = video.videoWidth, height = video.videoHeight;
        if (!width || !height) { return Promise.resolve(null); }
        canvas.width = width;
        canvas.height = height;
        context.drawImage(video, 0, 0, width, height);
        var code = jsQR(context.getImageData(0, 0, width, height).data, width, height,
                        { inversionAttempts: "dontInvert" });
        return Promise.resolve(code ? code.data : null);
      };
    });
  }

  function stop() {
    clearTimeout(timer);
    if (stream) { stream.getTracks().forEach(function (track) { track.stop(); }); }
    stream = null;
    video.hidden = true;
    stopButton.hidden = true;
    startButton.hidden = false;
  }

  startButton.addEventListener("click", function () {
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false })
      .then(function (media) {
        stream = media;
        video.srcObject = media;
        video.hidden = false;
        startButton.hidden = true;
        stopButton.hidden = false;
        return video.play().then(reader);
      })
      .then(function (read) {
        function look() {
          if (!stream) { return; }
          read().then(function (text) {
            if (text) { root.dispatchEvent(new CustomEvent("badge-decoded", { detail: text })); }
          }).catch(function () { return null; }).then(function () {
            timer = setTimeout(look, 250);
          });
        }
        look();
      })
      .catch(function () {
        stop();
        say(root.getAttribute("data-no-camera"), false);
      });
  });
  stopButton.addEventListener("click", stop);
  window.addEventListener("pagehide", stop);
}());
