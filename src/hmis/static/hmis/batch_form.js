/* The batch form: its Service Codes rows and the Find Service Provided picker. */
(function () {
  "use strict";

  // ---- batch form: service-code rows and the Find Service Provided picker -----------------
  var picker = document.getElementById("picker");
  var pickingRow = null;

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-code-row]");
    if (add) {
      event.preventDefault();
      addCodeRow(add.getAttribute("data-add-code-row"));
      return;
    }
    var open = event.target.closest("[data-open-picker]");
    if (open && picker) {
      event.preventDefault();
      pickingRow = open.closest("[data-code-row]");
      picker.showModal();
      var search = picker.querySelector('input[name="q"]');
      if (search) search.focus();
      return;
    }
    var pick = event.target.closest("[data-pick-code]");
    if (pick && pickingRow) {
      event.preventDefault();
      var input = pickingRow.querySelector("input[data-code-input]");
      var name = pickingRow.querySelector("[data-code-name]");
      var units = pickingRow.querySelector("input[data-units-input]");
      input.value = pick.getAttribute("data-pick-code");
      name.textContent = pick.getAttribute("data-pick-name");
      name.classList.remove("code-name--empty");
      if (units && !units.value) units.value = pick.getAttribute("data-default-units") || "1";
      picker.close();
      if (units) units.focus();
      pickingRow = null;
      return;
    }
    var close = event.target.closest("[data-close-dialog]");
    if (close) {
      event.preventDefault();
      close.closest("dialog").close();
    }
  });

  function addCodeRow(prefix) {
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var template = document.getElementById(prefix + "-row-template");
    var body = document.getElementById(prefix + "-rows");
    if (!total || !template || !body) return;
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.createElement("tbody");
    holder.innerHTML = html;
    var row = holder.firstElementChild;
    body.appendChild(row);
    total.value = String(index + 1);
    var find = row.querySelector("[data-open-picker]");
    if (find) find.focus();
  }
})();
