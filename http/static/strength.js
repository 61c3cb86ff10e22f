// Password strength meter for Quire's sign-up, reset and change-password
// pages. As the user types a new password it asks the server
// (POST /api/v1/auth/password-strength, same origin) for zxcvbn's score and
// shows it as text. The score is advice only: the form works the same with
// JavaScript off, and a failed request simply shows nothing.
"use strict";

(function () {
  const labels = ["Very weak", "Weak", "Fair", "Strong", "Very strong"];
  const delayMs = 400;

  // describe turns the server's answer into one short sentence.
  function describe(s) {
    const score = Math.max(0, Math.min(4, Number(s.score) || 0));
    const parts = ["Strength: " + labels[score] + " (" + score + " of 4)."];
    if (s.warning) {
      parts.push(s.warning);
    }
    if (Array.isArray(s.suggestions) && s.suggestions.length > 0) {
      parts.push(s.suggestions[0]);
    }
    return { score: score, text: parts.join(" ") };
  }

  // emailFor finds the address the password should not lean on: an email
  // field in the same form, or the data-email attribute of the input.
  function emailFor(input) {
    const field = input.form && input.form.querySelector("input[type=email]");
    if (field && field.value) {
      return field.value;
    }
    return input.dataset.email || "";
  }

  function attach(input) {
    const out = document.getElementById(input.dataset.strength);
    if (!out) {
      return;
    }
    let timer = 0;
    let last = "";
    let seq = 0;

    async function check() {
      const pw = input.value;
      if (pw === last) {
        return;
      }
      last = pw;
      const n = ++seq;
      if (pw === "") {
        out.textContent = "";
        delete out.dataset.score;
        return;
      }
      try {
        const res = await fetch("/api/v1/auth/password-strength", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ password: pw, email: emailFor(input) }),
          credentials: "same-origin",
          cache: "no-store",
        });
        if (!res.ok || n !== seq) {
          return;
        }
        const r = describe(await res.json());
        if (n !== seq) {
          return;
        }
        out.textContent = r.text;
        out.dataset.score = String(r.score);
      } catch (e) {
        // Advice only: without an answer the meter stays quiet.
      }
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(check, delayMs);
    });
  }

  document.querySelectorAll("input[data-strength]").forEach(attach);
})();
