// The inspector when no single layer or edge is selected: how to edit, and for several layers "Save as block".

export function SelectionHint({ count, onSaveBlock }: { count: number; onSaveBlock: () => void }) {
  return (
    <div className="inspector-hint">
      <p>
        {count > 1
          ? `${count} layers selected: Delete removes them.`
          : "Select a layer to edit its parameters. Drag from a layer's right handle to another's left handle to connect them. Ctrl-click or shift-drag selects several."}
      </p>
      {count > 1 && (
        <button type="button" data-testid="save-block-button" onClick={onSaveBlock} title="Make the selected layers one reusable block">
          Save as block…
        </button>
      )}
    </div>
  );
}
