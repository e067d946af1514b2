// Administration pages: "Copy link" / "Copy secret" buttons copy a read-only field's value.
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-copy-target]");
  if (!button) return;
  var field = document.getElementById(button.getAttribute("data-copy-target"));
  var status = button.parentElement.querySelector("[data-copy-status]");
  field.select();
  var done = function () { if (status) status.textContent = "Copied."; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (status) status.textContent = "Select the text and copy it.";
    });
  } else {
    document.execCommand("copy");
    done();
  }
});
