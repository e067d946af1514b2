// The client intake and edit pages: move focus to what needs attention (possible duplicates, a
// form problem) and take a photo with the device's camera, the file upload being the fallback.
(function () {
  "use strict";

  function focusOnLoad() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) target.focus();
  }

  function setUpCamera() {
    var box = document.querySelector("[data-camera]");
    var form = document.querySelector("[data-photo-form]");
    if (!box || !form) return;
    var input = form.querySelector('input[type="file"]');
    var canUseCamera =
      navigator.mediaDevices && typeof navigator.mediaDevices.getUserMedia === "function" &&
      typeof DataTransfer === "function" && input;
    if (!canUseCamera) return; // the upload field alone
    box.hidden = false;
    var start = box.querySelector("[data-camera-start]");
    var snap = box.querySelector("[data-camera-snap]");
    var video = box.querySelector("[data-camera-video]");
    var canvas = box.querySelector("[data-camera-canvas]");
    var status = box.querySelector("[data-camera-status]");
    var stream = null;

    function stop() {
      if (stream) stream.getTracks().forEach(function (track) { track.stop(); });
      stream = null;
      video.hidden = true;
      snap.hidden = true;
    }

    start.addEventListener("click", function () {
      status.textContent = "Starting the camera…";
      navigator.mediaDevices
        .getUserMedia({ video: { facingMode: "user" }, audio: false })
        .then(function (media) {
          stream = media;
          video.srcObject = media;
          video.hidden = false;
          snap.hidden = false;
          return video.play();
        })
        .then(function () {
          status.textContent = "Camera on: press Capture.";
          snap.focus();
        })
        .catch(function () {
          stop();
          status.textContent = "The camera is not available: choose a photo file below instead.";
        });
    });

    snap.addEventListener("click", function () {
      var width = video.videoWidth || 640;
      var height = video.videoHeight || 480;
      canvas.width = width;
      canvas.height = height;
      canvas.getContext("2d").drawImage(video, 0, 0, width, height);
      canvas.toBlob(
        function (blob) {
          if (!blob) {
            status.textContent = "The photo could not be taken: choose a photo file instead.";
            return;
          }
          var file = new File([blob], "camera.jpg", { type: "image/jpeg" });
          var files = new DataTransfer();
          files.items.add(file);
          input.files = files.files;
          stop();
          status.textContent = "Photo captured. Press Save photo to keep it.";
          form.querySelector('button[type="submit"]').focus();
        },
        "image/jpeg",
        0.9
      );
    });
    window.addEventListener("pagehide", stop);
  }

  document.addEventListener("DOMContentLoaded", function () {
    focusOnLoad();
    setUpCamera();
  });
})();
