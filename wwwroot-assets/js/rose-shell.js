// The console shell's keyboard shortcuts and the remembered theme choice.
// Shortcuts call back into the layout (MainLayout.OnShortcut); nothing else runs here.
window.roseShell = (function () {
  let handler = null;

  function typing(target) {
    if (!target) return false;
    if (target.closest && target.closest(".monaco-editor")) return true;
    const tag = (target.tagName || "").toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  return {
    register(dotnet) {
      if (handler) document.removeEventListener("keydown", handler);
      handler = function (e) {
        // Ctrl+K (Cmd+K on a Mac) works everywhere except inside the SQL editor, whose own Ctrl+K chords it keeps.
        if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === "k") {
          if (e.target && e.target.closest && e.target.closest(".monaco-editor")) return;
          e.preventDefault();
          dotnet.invokeMethodAsync("OnShortcut", "palette");
        } else if (e.key === "Escape" && document.querySelector(".mud-dialog") && !(e.target && e.target.closest && e.target.closest(".mud-dialog"))) {
          // Focus outside the dialog (MudBlazor handles Escape only inside it): close the shell's dialog.
          dotnet.invokeMethodAsync("OnShortcut", "escape");
        } else if (e.key === "?" && !e.ctrlKey && !e.metaKey && !typing(e.target)) {
          e.preventDefault();
          dotnet.invokeMethodAsync("OnShortcut", "help");
        }
      };
      document.addEventListener("keydown", handler);
    },
    // Puts the caret in a field that a dialog just rendered; retried because the dialog's own focus
    // handling runs after the first render and can take the focus back.
    focus(selector) {
      [0, 100, 300].forEach(function (delay) {
        setTimeout(function () {
          const el = document.querySelector(selector);
          if (el && document.activeElement !== el) el.focus();
        }, delay);
      });
    },
    unregister() {
      if (handler) document.removeEventListener("keydown", handler);
      handler = null;
    },
    // The theme is a per-user choice in this browser: "dark", "light", or nothing (follow the system).
    getTheme(user) {
      try { return localStorage.getItem("rose-theme:" + user); } catch { return null; }
    },
    setTheme(user, value) {
      try {
        if (value) localStorage.setItem("rose-theme:" + user, value);
        else localStorage.removeItem("rose-theme:" + user);
      } catch { /* storage disabled: the choice lasts for this page only */ }
    },
  };
})();

// The SQL editors (Monaco) follow the console's theme. Monaco's theme is global and an editor made
// with the default theme resets it, so the theme is re-applied whenever the shell's dark class
// changes or a new editor appears.
(function () {
  function apply() {
    if (!window.monaco || !window.monaco.editor) return;
    const dark = !!document.querySelector(".rose-root.rose-dark");
    const wanted = dark ? "vs-dark" : "vs";
    if (window.__roseEditorTheme !== wanted || document.querySelector(".monaco-editor.vs") && dark || document.querySelector(".monaco-editor.vs-dark") && !dark) {
      window.__roseEditorTheme = wanted;
      window.monaco.editor.setTheme(wanted);
    }
  }
  const observer = new MutationObserver(apply);
  function start() {
    observer.observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ["class"] });
    apply();
  }
  if (document.body) start(); else document.addEventListener("DOMContentLoaded", start);
})();
