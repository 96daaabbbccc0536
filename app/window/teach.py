"""Teach: the person says which digit a drawing really is, and the drawing becomes a labelled sample.

Models trained only on MNIST misread many people's handwriting. This controller turns a correction
into data: a digit key on the canvas, a click on a class bar (both arrive as the window's
``labelRequested``), the toolbar's Teach button or Samples > Teach this drawing as saves the drawing
through :class:`training.samples.SampleStore` — the 28x28 picture the model saw and the full drawing.
The window's model learns from them at once (:mod:`app.window.personal`), and retraining with "Include my
samples" folds them into the model itself.

It also offers the Samples menu with My samples…, the gallery where samples are browsed, deleted,
exported and imported, the Teach button and the hint under the bars (the assembly puts them in the
window); ``samplesChanged`` keeps every view of the samples up to date.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QLabel,
    QMenu,
    QToolButton,
    QWidgetAction,
)

from app.widgets import icons
from app.widgets.actions import make_action
from app.widgets.digit_pad import DigitPad

if TYPE_CHECKING:  # imported when first used, not at start-up: the window shows sooner
    from PySide6.QtGui import QAction

    from app.samples.dialog import SamplesDialog
    from app.window.host import WindowHost
    from training.samples import Sample, SampleStore

CANVAS_TIP = (
    "Draw a digit. If the model reads it wrong, press the right digit key (0-9) to teach it.\n"
    "Esc clears, Ctrl+Z undoes the last stroke."
)
BARS_HINT = "Wrong? Press the right digit key or click its bar to teach the model your handwriting."
MESSAGE_SECONDS = 12  # the confirmation leaves the banner by itself after this long


class Teacher(QObject):
    """Saves labelled drawings from the window and owns the Samples menu and the samples gallery.

    ``sampleAdded(Sample)`` fires for every saved drawing; ``samplesChanged()`` after any change to the
    store (a drawing taught, samples deleted or imported in the gallery).
    """

    sampleAdded = Signal(object)
    samplesChanged = Signal()

    def __init__(self, window: WindowHost, store: SampleStore | None = None) -> None:
        super().__init__(window.window())
        self.window = window
        parent = window.window()
        self._store = store
        self.dialog: SamplesDialog | None = None
        self._last: tuple[object, Sample] | None = None  # (canvas state, its sample) for corrections
        self._shown = ""  # the confirmation in the banner, hidden after MESSAGE_SECONDS
        self._hide_timer = QTimer(self)  # a child: it dies with the window, never fires on a closed one
        self._hide_timer.setSingleShot(True)
        self._hide_timer.setInterval(MESSAGE_SECONDS * 1000)
        self._hide_timer.timeout.connect(self._hide_message)
        # "Draw a digit first" and "too little ink" hold until the drawing changes (a stroke, an undo).
        window.canvas.changed.connect(lambda: window.withdraw_message("teach nudge"))

        self.teach_actions: list[QAction] = []
        teach_menu = QMenu("&Teach this drawing as", parent)
        teach_menu.setObjectName("teachMenu")
        teach_menu.setIcon(icons.teach_icon())
        for digit in range(10):
            act = make_action(
                parent,
                f"teach:{digit}",
                f"&{digit}",
                lambda _=False, d=digit: self.teach(d),
                tip=f"Save the drawing as a labelled sample of {digit}",
            )
            teach_menu.addAction(act)
            self.teach_actions.append(act)
        self.samples_action = make_action(
            parent,
            "samples",
            "My &samples…",
            self.show_samples,
            tip="Browse, delete, export and import the drawings you taught",
        )

        menu = QMenu("&Samples", parent)
        menu.setObjectName("samplesMenu")
        menu.addMenu(teach_menu)
        menu.addSeparator()
        menu.addAction(self.samples_action)
        self.menu = menu
        self.teach_menu = teach_menu

        self.pad: DigitPad | None = None  # built when the popup first opens (start-up)
        self.pad_menu = QMenu(parent)
        self.pad_menu.setObjectName("teachPopup")
        self.pad_menu.aboutToShow.connect(self._ensure_pad)
        self.pad_menu.installEventFilter(self)  # a digit key while the pad is open picks that digit

        self.button = QToolButton()
        self.button.setObjectName("teachButton")
        self.button.setText("Teach")
        self.button.setIcon(icons.teach_icon())
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.button.setMenu(self.pad_menu)
        self.button.setToolTip("Tell the model which digit this drawing really is, to learn your handwriting")
        self.button.setAccessibleName("Teach")

        self.hint = QLabel(BARS_HINT)
        self.hint.setObjectName("teachHint")
        self.hint.setWordWrap(True)
        self.hint.setForegroundRole(QPalette.ColorRole.PlaceholderText)

    def _ensure_pad(self) -> None:
        if self.pad is not None:
            return
        self.pad = DigitPad()
        action = QWidgetAction(self.pad_menu)
        action.setDefaultWidget(self.pad)
        self.pad_menu.addAction(action)
        self.pad.digitChosen.connect(self._pad_chosen)

    # ---------------------------------------------------------------------------------- teaching

    @property
    def store(self) -> SampleStore:
        """Where the drawings are saved (opened on first use)."""
        if self._store is None:
            from training.samples import SampleStore

            self._store = SampleStore()
        return self._store

    @Slot(int)
    def teach(self, label: int) -> Sample | None:
        """Save the drawing on the canvas as a sample of ``label``; ``None`` (with a message) if nothing was.

        Teaching the same drawing again with another digit corrects the sample instead of adding one.
        """
        window = self.window
        canvas = window.canvas
        if canvas.is_empty():
            self._show_nudge(
                "Draw a digit first, then press its key (or click its bar) to save it as a sample."
            )
            return None
        from model.preprocess import canvas_to_mnist  # imported on first use (start-up)

        drawing = canvas.image()
        image28 = canvas_to_mnist(drawing)
        if image28 is None:
            self._show_nudge("There is too little ink to read; draw the digit larger or bolder.")
            return None
        state = canvas.state()
        replaced: Sample | None = None
        if self._last is not None and self._last[0] is state and self._last[1].image_path.exists():
            previous = self._last[1]
            if previous.label == label:
                self._confirm(f"Already saved as a {label}. Press Esc to draw the next one.")
                return previous
            replaced = previous
        read = window.prediction_view.digit()
        try:
            sample = self.store.add(label, image28, drawing)
        except (OSError, ValueError) as exc:
            window.show_message(f"The sample could not be saved ({exc}).", "error")
            return None
        if replaced is not None:
            self.store.remove(replaced)
        self._last = (state, sample)
        self._confirm(self._saved_text(label, read, replaced))
        self.sampleAdded.emit(sample)
        self.samplesChanged.emit()
        return sample

    def _saved_text(self, label: int, read: int | None, replaced: Sample | None) -> str:
        counts = self.store.counts()
        total = sum(counts.values())
        if replaced is not None:
            head = f"Changed to a {label} (it was saved as a {replaced.label})"
        elif read is not None and read != label:
            head = f"Saved as a {label} (the model read a {read})"
        else:
            head = f"Saved as a {label}"
        mine = counts[label]
        text = (
            f"{head} — you have {mine} sample{'s' if mine != 1 else ''} of {label}, {total} in all. "
            "The 10-class model reads your drawings with them from now on; to fold them into the model "
            "itself, include them when you retrain (Model > Retrain…)."
        )
        if self.window.model_kind() == "binary" and label not in (0, 1):
            text += " The 0-vs-1 model learns only from 0s and 1s; the 10-class model uses every digit."
        return text

    def _confirm(self, text: str) -> None:
        self.window.show_message(text, "info")
        self.window.show_status(text.split(" — ")[0], MESSAGE_SECONDS * 1000)
        self._shown = text
        self._hide_timer.start()

    def _show_nudge(self, text: str) -> None:
        self.window.show_message(text, "info", about="teach nudge")

    @Slot()
    def _hide_message(self) -> None:
        """Take the confirmation away, unless another message has replaced it meanwhile."""
        self.window.hide_message(self._shown)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.pad_menu and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            if Qt.Key.Key_0 <= key <= Qt.Key.Key_9:
                self._pad_chosen(int(key - Qt.Key.Key_0))
                return True
        return super().eventFilter(watched, event)

    @Slot(int)
    def _pad_chosen(self, digit: int) -> None:
        self.pad_menu.close()
        self.teach(digit)

    # ------------------------------------------------------------------------------------ gallery

    @Slot()
    def show_samples(self) -> SamplesDialog:
        """Open (or bring forward) the gallery of samples; it stays open while drawing goes on."""
        if self.dialog is None:
            from app.samples.dialog import SamplesDialog

            self.dialog = SamplesDialog(self.store, self.window.window())
            self.dialog.samplesEdited.connect(self.samplesChanged)
            self.samplesChanged.connect(self.dialog.refresh)
        else:
            self.dialog.refresh()  # a new dialog has just read the store itself
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()
        return self.dialog
