// Flags a quantity above what the chosen hub lists while it is typed: the line's confirmation box
// ([data-exceeds-confirmation], templates/interests/shortlist.html) shows as soon as the quantity exceeds the
// selected option's data-listed-quantity. Without this file the server shows the box after a submission
// (interests.forms.InterestLineForm), so nothing is sent by a slip either way.
(function () {
  "use strict";

  function update(line) {
    const box = line.querySelector("[data-exceeds-confirmation]");
    const select = line.querySelector("select");
    const quantity = line.querySelector("input[type=number]");
    if (!box || !select || !quantity) {
      return;
    }
    const option = select.options[select.selectedIndex];
    const listed = option ? Number(option.dataset.listedQuantity) : NaN;
    const asked = Number(quantity.value);
    const confirm = box.querySelector("input[type=checkbox]");
    const exceeds = Number.isFinite(listed) && quantity.value !== "" && asked > listed;
    box.hidden = !exceeds && !(confirm && confirm.checked);
  }

  document.querySelectorAll("[data-interest-line]").forEach(function (line) {
    line.addEventListener("input", function () {
      update(line);
    });
    line.addEventListener("change", function () {
      update(line);
    });
    update(line);
  });
})();
