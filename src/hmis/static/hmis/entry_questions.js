/* HUD's entry questions (3.917): show only the follow-up questions HUD's flow asks for the prior
 * living situation given. The server applies the same flow (clients/enrolling.py) and drops
 * answers to questions not asked, so this only spares the user questions that do not apply. */
(function () {
  "use strict";
  var HOMELESS = ["116", "101", "118"];
  var MISSING = ["", "8", "9", "99"];
  var SHORT_INSTITUTIONAL = ["10", "11", "2", "3"];
  var SHORT_HOUSED = ["10", "11"];

  document.querySelectorAll("[data-entry-questions]").forEach(function (box) {
    var situation = box.querySelector('select[name="living_situation"]');
    var stay = box.querySelector('select[name="length_of_stay"]');
    var nightBefore = box.querySelector('select[name="previous_street_essh"]');
    var nightBeforeBox = box.querySelector('[data-entry-question="night-before"]');
    var historyBox = box.querySelector('[data-entry-question="homeless-history"]');
    if (!situation || !stay || !nightBefore || !nightBeforeBox || !historyBox) return;

    function update() {
      var value = situation.value;
      var homeless = HOMELESS.indexOf(value) !== -1;
      var missing = MISSING.indexOf(value) !== -1;
      var institutional = value.charAt(0) === "2" && value.length === 3;
      var short = (institutional ? SHORT_INSTITUTIONAL : SHORT_HOUSED).indexOf(stay.value) !== -1;
      var askNightBefore = !missing && !homeless && short;
      nightBeforeBox.hidden = !askNightBefore;
      historyBox.hidden = !(homeless || (askNightBefore && nightBefore.value === "1"));
    }
    [situation, stay, nightBefore].forEach(function (select) {
      select.addEventListener("change", update);
    });
    update();
  });
})();
