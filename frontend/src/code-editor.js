// The code editor of code questions: CodeMirror 6 over the page's <textarea name="code">.
// The textarea stays the form field: every change is copied into it and announced with an `input`
// event, so static/attempt.js autosaves it (sequence numbers and all) like any other answer, and the
// plain form post still sends it. Without JavaScript the textarea is the editor.
//
// Keyboard: Tab indents, Shift+Tab unindents. To move focus out of the editor, press Escape and then
// Tab (or Ctrl+M to switch Tab between indenting and moving focus). Build: see frontend/README.md.
import { EditorView, basicSetup } from "codemirror";
import { keymap } from "@codemirror/view";
import { indentWithTab } from "@codemirror/commands";
import { indentUnit } from "@codemirror/language";
import { python } from "@codemirror/lang-python";
import { javascript } from "@codemirror/lang-javascript";

function cspNonce() {
  const meta = document.querySelector('meta[name="csp-nonce"]');
  return meta ? meta.content : "";
}

function attach(textarea) {
  const language = textarea.dataset.language === "javascript" ? javascript() : python();
  const label = document.querySelector('label[for="' + textarea.id + '"]');
  const view = new EditorView({
    doc: textarea.value,
    extensions: [
      basicSetup,
      keymap.of([indentWithTab]),
      indentUnit.of(textarea.dataset.language === "javascript" ? "  " : "    "),
      language,
      EditorView.lineWrapping,
      // The page's Content-Security-Policy admits the editor's own <style> elements by this nonce.
      EditorView.cspNonce.of(cspNonce()),
      EditorView.contentAttributes.of({
        "aria-label": label ? label.textContent : "Code",
        "aria-describedby": textarea.getAttribute("aria-describedby") || "",
        "data-testid": "code-editor",
      }),
      EditorView.updateListener.of(function (update) {
        if (!update.docChanged) return;
        textarea.value = update.state.doc.toString();
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
      }),
    ],
  });
  view.dom.classList.add("code-editor");
  textarea.insertAdjacentElement("afterend", view.dom);
  textarea.hidden = true;
  if (label) label.addEventListener("click", function () { view.focus(); });
  textarea.codeEditor = view;
  return view;
}

document.querySelectorAll("textarea.code-input").forEach(attach);
