/* Product suggestions under the catalogue's search box, as one types (the ARIA 1.2 combobox pattern with a
   listbox). Progressive enhancement: without this file the box is a plain search field of the filter form.

   Markup: a container with data-search-suggest, data-suggest-url, data-message-results ("{count}" is
   replaced) and data-message-none; inside it an input[type=search], a [role=listbox] (hidden) and a
   [data-suggest-status] live region. */
(function () {
  "use strict";

  var MIN_LENGTH = 3; // products.search.SUGGEST_MIN_LENGTH: trigram and prefix indexes need three letters
  var DELAY_MS = 200;

  function setUp(container) {
    var input = container.querySelector("input[type=search]");
    var listbox = container.querySelector("[role=listbox]");
    var status = container.querySelector("[data-suggest-status]");
    var url = container.getAttribute("data-suggest-url");
    if (!input || !listbox || !url) {
      return;
    }
    var timer = null;
    var pending = null;
    var options = [];
    var active = -1;

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");

    function announce(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function open() {
      if (options.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      }
    }

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      setActive(-1);
    }

    function setActive(index) {
      options.forEach(function (option, position) {
        var selected = position === index;
        option.setAttribute("aria-selected", selected ? "true" : "false");
        option.classList.toggle("active", selected);
      });
      active = index;
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", options[index].id);
        options[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function render(results) {
      listbox.textContent = "";
      options = results.map(function (result, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-option-" + index;
        option.className = "list-group-item list-group-item-action";
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.setAttribute("data-url", result.url);
        option.textContent = result.name;
        listbox.appendChild(option);
        return option;
      });
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (options.length) {
        announce((container.getAttribute("data-message-results") || "").replace("{count}", options.length));
        open();
      } else {
        announce(container.getAttribute("data-message-none") || "");
        close();
      }
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query.length < MIN_LENGTH) {
        render([]);
        announce("");
        return;
      }
      if (pending) {
        pending.abort();
      }
      pending = new AbortController();
      fetch(url + "?q=" + encodeURIComponent(query), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: pending.signal,
      })
        .then(function (response) {
          var type = response.headers.get("Content-Type") || "";
          // A logged-out session is redirected to the login page: no suggestions then, the form still works.
          return response.ok && type.indexOf("application/json") === 0 ? response.json() : { results: [] };
        })
        .then(function (data) {
          if (input.value.trim() === query) {
            render(Array.isArray(data.results) ? data.results : []);
          }
        })
        .catch(function () {
          /* Aborted or offline: the plain search still works. */
        });
    }

    function choose(option) {
      window.location.assign(option.getAttribute("data-url"));
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(fetchSuggestions, DELAY_MS);
    });

    input.addEventListener("keydown", function (event) {
      var expanded = !listbox.hidden;
      if (event.key === "ArrowDown") {
        if (!options.length) {
          return;
        }
        event.preventDefault();
        open();
        setActive(active + 1 >= options.length ? 0 : active + 1);
      } else if (event.key === "ArrowUp") {
        if (!options.length) {
          return;
        }
        event.preventDefault();
        open();
        setActive(active - 1 < 0 ? options.length - 1 : active - 1);
      } else if (event.key === "Enter" && expanded && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape" && expanded) {
        event.preventDefault();
        close();
      }
    });

    input.addEventListener("blur", function () {
      close();
    });

    // Keep the focus in the field while a suggestion is clicked, so the click lands before the list closes.
    listbox.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });

    listbox.addEventListener("click", function (event) {
      var option = event.target.closest("[role=option]");
      if (option) {
        choose(option);
      }
    });
  }

  document.querySelectorAll("[data-search-suggest]").forEach(setUp);
})();
