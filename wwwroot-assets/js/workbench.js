// Workbench glue for the Monaco editor that BlazorMonaco creates: keybindings, debounced change
// notifications, offsets for "statement under the cursor", markers, completion, clipboard, downloads.
// Offsets are UTF-16 code units of the model text, the same unit the server's parser positions use.

const completion = { schemas: [], relations: [], columns: [] };
let completionRegistered = false;

const functions = [
    "count", "sum", "avg", "min", "max", "coalesce", "nullif", "greatest", "least", "now", "current_date",
    "current_timestamp", "date_trunc", "extract", "to_char", "to_date", "to_timestamp", "age", "lower", "upper",
    "length", "substring", "trim", "concat", "string_agg", "array_agg", "json_agg", "jsonb_agg", "jsonb_build_object",
    "row_number", "rank", "dense_rank", "lag", "lead", "generate_series", "round", "abs", "cast",
];
const keywords = [
    "SELECT", "FROM", "WHERE", "GROUP BY", "ORDER BY", "HAVING", "LIMIT", "OFFSET", "JOIN", "LEFT JOIN", "INNER JOIN",
    "INSERT INTO", "VALUES", "UPDATE", "SET", "DELETE FROM", "RETURNING", "WITH", "DISTINCT", "EXPLAIN", "UNION ALL",
];

function editorOf(id) {
    return window.blazorMonaco.editor.getEditor(id);
}

export function attach(id, dotnet) {
    const editor = editorOf(id);
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => dotnet.invokeMethodAsync("RunFromKeyboard", false));
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyMod.Shift | monaco.KeyCode.Enter, () => dotnet.invokeMethodAsync("RunFromKeyboard", true));
    let timer = null;
    editor.onDidChangeModelContent(() => {
        clearTimeout(timer);
        timer = setTimeout(() => dotnet.invokeMethodAsync("OnEditorChanged", editor.getModel().getValue()), 400);
    });
    registerCompletion();
    // Lets tests (and anyone) see that keybindings and change notifications are live.
    document.getElementById(id)?.setAttribute("data-rose-ready", "1");
}

export function runInfo(id) {
    const editor = editorOf(id);
    const model = editor.getModel();
    const selection = editor.getSelection();
    const position = editor.getPosition();
    return {
        text: model.getValue(),
        selectionStart: model.getOffsetAt(selection.getStartPosition()),
        selectionEnd: model.getOffsetAt(selection.getEndPosition()),
        cursor: model.getOffsetAt(position),
    };
}

export function setMarkers(id, owner, markers) {
    const model = editorOf(id).getModel();
    monaco.editor.setModelMarkers(model, owner, markers.map(m => {
        const start = model.getPositionAt(m.offset);
        const end = model.getPositionAt(m.offset + Math.max(1, m.length));
        return {
            startLineNumber: start.lineNumber, startColumn: start.column,
            endLineNumber: end.lineNumber, endColumn: end.column,
            message: m.message,
            severity: m.severity === "warning" ? monaco.MarkerSeverity.Warning : monaco.MarkerSeverity.Error,
        };
    }));
}

export function markerCount(id) {
    return monaco.editor.getModelMarkers({ resource: editorOf(id).getModel().uri }).length;
}

export function setCompletion(data) {
    completion.schemas = data.schemas || [];
    completion.relations = data.relations || [];
    completion.columns = data.columns || [];
}

function registerCompletion() {
    if (completionRegistered) {
        return;
    }
    completionRegistered = true;
    const kinds = monaco.languages.CompletionItemKind;
    monaco.languages.registerCompletionItemProvider("pgsql", {
        triggerCharacters: ["."],
        provideCompletionItems(model, position) {
            const word = model.getWordUntilPosition(position);
            const range = new monaco.Range(position.lineNumber, word.startColumn, position.lineNumber, word.endColumn);
            const before = model.getValueInRange(new monaco.Range(position.lineNumber, 1, position.lineNumber, word.startColumn));
            const qualifier = (before.match(/([A-Za-z_][\w$]*)\.$/) || [])[1];
            const items = [];
            const add = (label, kind, detail, insertText) => items.push({ label, kind, detail, insertText: insertText || label, range });
            if (qualifier) {
                // After "x.": tables of schema x, or columns of table x.
                completion.relations.filter(r => r.schema === qualifier).forEach(r => add(r.name, kinds.Class, r.kind));
                completion.columns.filter(c => c.table === qualifier).forEach(c => add(c.name, kinds.Field, c.type));
                return { suggestions: items };
            }
            completion.schemas.forEach(s => add(s, kinds.Module, "schema"));
            completion.relations.forEach(r => add(r.name, kinds.Class, `${r.kind} in ${r.schema}`));
            const seen = new Set();
            completion.columns.forEach(c => { if (!seen.has(c.name)) { seen.add(c.name); add(c.name, kinds.Field, `${c.type} (${c.table})`); } });
            functions.forEach(f => add(f, kinds.Function, "function", f + "("));
            keywords.forEach(k => add(k, kinds.Keyword, "keyword"));
            return { suggestions: items };
        },
    });
}

export async function copyText(text) {
    try {
        await navigator.clipboard.writeText(text);
        return true;
    } catch {
        // Clipboard API refused (not focused, insecure origin): fall back to a hidden textarea.
        const area = document.createElement("textarea");
        area.value = text;
        area.style.position = "fixed";
        area.style.opacity = "0";
        document.body.appendChild(area);
        area.select();
        const ok = document.execCommand("copy");
        area.remove();
        return ok;
    }
}

export function download(url) {
    const link = document.createElement("a");
    link.href = url;
    link.download = "";
    document.body.appendChild(link);
    link.click();
    link.remove();
}
