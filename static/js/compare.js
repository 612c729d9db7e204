// Marks products for comparison without reloading the page. Every form[data-compare-toggle] on the page
// ({% compare_toggle %}, products/templatetags/buyer_controls.py) is kept in step with the answer, and a
// polite live region says what happened. Without this file the forms post and the server redirects back.
(function () {
  "use strict";

  if (!window.fetch || !document.querySelector("form[data-compare-toggle]")) {
    return;
  }

  const status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  status.dataset.compareStatus = "";
  document.body.appendChild(status);

  function show(form, compared, full) {
    const marked = compared.includes(Number(form.elements.product.value));
    const button = form.querySelector("button[type=submit]");
    const hint = form.querySelector("[data-compare-hint]");
    const blocked = full && !marked;
    form.elements.action.value = marked ? "remove" : "add";
    button.querySelector("[data-compare-label]").textContent = marked
      ? form.dataset.labelRemove
      : form.dataset.labelAdd;
    button.setAttribute("aria-pressed", marked ? "true" : "false");
    button.disabled = blocked;
    if (hint) {
      hint.hidden = !blocked;
      if (blocked) {
        button.setAttribute("aria-describedby", hint.id);
      } else {
        button.removeAttribute("aria-describedby");
      }
    }
  }

  async function send(form) {
    let response;
    try {
      // Not form.action: the form has a field named "action", which that property would return.
      response = await fetch(form.getAttribute("action"), {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch (error) {
      return null;
    }
    const type = response.headers.get("Content-Type") || "";
    if (!type.includes("application/json") || !(response.ok || response.status === 409)) {
      return null;
    }
    return response.json();
  }

  document.addEventListener("submit", async function (event) {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.matches("form[data-compare-toggle]")) {
      return;
    }
    event.preventDefault();
    if (form.dataset.busy) {
      return;
    }
    form.dataset.busy = "true";
    const answer = await send(form);
    delete form.dataset.busy;
    if (answer === null) {
      // Logged out, a 404 or no network: let the browser post the form and show what the server says.
      form.submit();
      return;
    }
    document.querySelectorAll("form[data-compare-toggle]").forEach(function (each) {
      show(each, answer.compared, answer.full);
    });
    document.querySelectorAll("[data-compare-count]").forEach(function (count) {
      count.textContent = String(answer.count);
    });
    status.textContent = answer.message;
  });
})();
