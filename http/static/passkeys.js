// Passkeys for Quire's pages: adding one on /account, and signing in with
// one on /login (passwordless) and /login/mfa (the second factor: the
// pending session's cookie tells the server which).
//
// Progressive enhancement: the passkey controls are in the page with the
// hidden attribute ([data-passkey-show]) and this script shows them only
// when the browser can run the ceremonies; the notes for browsers that
// cannot ([data-passkey-fallback]) stay visible otherwise. Every other form
// works without JavaScript.
//
// The ceremonies use the JSON API on the same origin: begin returns
// {id, options} with options = {"publicKey": …}; finish takes the
// ceremony ID and credential.toJSON(). The session cookie goes along, and
// the server's cross-origin check admits the requests because the browser
// marks them Sec-Fetch-Site: same-origin. Errors are shown as text in the
// page's aria-live region (#passkey-message), never as HTML.
"use strict";

(function () {
  const PKC = window.PublicKeyCredential;
  const supported =
    typeof PKC === "function" &&
    typeof PKC.parseCreationOptionsFromJSON === "function" &&
    typeof PKC.parseRequestOptionsFromJSON === "function" &&
    !!navigator.credentials;

  document.querySelectorAll("[data-passkey-fallback]").forEach(function (el) {
    el.hidden = supported;
  });
  if (!supported) {
    return;
  }

  // What the page says for each DOMException the WebAuthn calls throw.
  const browserMessages = {
    NotAllowedError: "The passkey request was cancelled, timed out, or found no passkey for this site.",
    InvalidStateError: "This device already holds a passkey for your account.",
    SecurityError: "Passkeys cannot be used at this address.",
    AbortError: "The passkey request was cancelled.",
  };
  const genericMessage = "Your browser could not use a passkey. Try again, or use another way to sign in.";

  // ServerError carries a message meant for the user: the server's own
  // (client-safe) message, or one about the connection.
  class ServerError extends Error {}

  // messageFromBody reads the message of the server's JSON error, with
  // the error ID of a server-side failure.
  function messageFromBody(data) {
    const e = data && data.error;
    let msg = e && typeof e.message === "string" && e.message ? e.message : "Something went wrong. Try again.";
    if (e && typeof e.id === "string" && e.id) {
      msg += " (error ID " + e.id + ")";
    }
    return msg;
  }

  // call POSTs body (if any) as JSON to path and returns the JSON answer.
  async function call(path, body) {
    const init = {
      method: "POST",
      headers: { Accept: "application/json" },
      credentials: "same-origin",
      cache: "no-store",
    };
    if (body !== undefined) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(path, init);
    } catch (e) {
      throw new ServerError("Quire could not be reached. Check your connection and try again.");
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      // An answer without JSON: only its status counts.
    }
    if (!res.ok) {
      throw new ServerError(messageFromBody(data));
    }
    return data;
  }

  // messageFor turns a failure into the sentence the page shows.
  function messageFor(e) {
    if (e instanceof ServerError) {
      return e.message;
    }
    if (e && typeof e.name === "string" && Object.hasOwn(browserMessages, e.name)) {
      return browserMessages[e.name];
    }
    return genericMessage;
  }

  const out = document.getElementById("passkey-message");

  // say shows text as an error in the live region, or clears it.
  function say(text) {
    if (!out) {
      return;
    }
    out.textContent = "";
    if (text) {
      const p = document.createElement("p");
      p.className = "alert error";
      p.textContent = text;
      out.appendChild(p);
    }
  }

  // register adds a passkey named by the form, then shows the account
  // page again with it listed.
  async function register(form) {
    const field = form.elements.namedItem("name");
    const pw = form.elements.namedItem("password");
    const begun = await call("/api/v1/me/passkeys/begin", { password: pw ? pw.value : "" });
    const publicKey = PKC.parseCreationOptionsFromJSON(begun.options.publicKey);
    const cred = await navigator.credentials.create({ publicKey: publicKey });
    if (!cred) {
      throw new DOMException("no credential", "NotAllowedError");
    }
    await call("/api/v1/me/passkeys/finish", {
      id: begun.id,
      name: field ? field.value : "",
      credential: cred.toJSON(),
    });
    location.assign("/account?done=passkey-added");
  }

  // signIn signs in with a passkey: passwordless, or as the second factor
  // of the session the cookie names; then goes where the session may go.
  async function signIn() {
    const begun = await call("/api/v1/auth/passkey/begin");
    const publicKey = PKC.parseRequestOptionsFromJSON(begun.options.publicKey);
    const cred = await navigator.credentials.get({ publicKey: publicKey });
    if (!cred) {
      throw new DOMException("no credential", "NotAllowedError");
    }
    const done = await call("/api/v1/auth/passkey/finish", { id: begun.id, credential: cred.toJSON() });
    location.assign(done && done.stage === "reset" ? "/account/password" : "/account");
  }

  // run starts a ceremony from button, once at a time, and shows its
  // failure. On success the page navigates away, so the button stays off.
  async function run(button, ceremony) {
    if (button.disabled) {
      return;
    }
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say("");
    try {
      await ceremony();
    } catch (e) {
      say(messageFor(e));
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }

  document.querySelectorAll("form[data-passkey=register]").forEach(function (form) {
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      run(form.querySelector("button[type=submit]"), function () {
        return register(form);
      });
    });
  });
  document.querySelectorAll("button[data-passkey=sign-in]").forEach(function (button) {
    button.addEventListener("click", function () {
      run(button, signIn);
    });
  });
  document.querySelectorAll("[data-passkey-show]").forEach(function (el) {
    el.hidden = false;
  });
})();
