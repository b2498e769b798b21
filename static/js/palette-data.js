// The palette's numbers, in one place: palette.js builds its colour tables from them, and
// the server's figures (exports/palette.py) read this file too — everything after
// "export default" is plain JSON, so keep it JSON (double quotes, no comments inside).
export default {
  "classColors": ["#e66100", "#1f6fb4", "#009e73"],
  "white": [248, 248, 246],
  "diverging": [[0, [234, 140, 62]], [0.25, [246, 193, 146]], [0.5, [248, 248, 246]], [0.75, [158, 194, 230]], [1, [66, 128, 196]]],
  "sequential": [[0, [68, 1, 84]], [0.25, [59, 82, 139]], [0.5, [33, 145, 140]], [0.75, [94, 201, 98]], [1, [253, 231, 37]]],
  "neuronColors": ["#7a3f9d", "#117733", "#cc6677", "#332288", "#999933", "#44aa99", "#882255", "#aa4499"],
  "edges": {"positive": "#4c8cc3", "negative": "#eb8133", "positiveLight": "#8fb7da", "negativeLight": "#f2b07f"},
  "axes": {"frame": "#8a8f98", "text": "#4a4f58", "paper": "#f4f4f2"},
  "series": {
    "train_loss": {"color": "#222222", "dash": []},
    "validation_loss": {"color": "#009e73", "dash": [8, 3, 2, 3]},
    "test_loss": {"color": "#0072b2", "dash": [5, 3]},
    "penalty": {"color": "#cc79a7", "dash": [2, 2]},
    "test_error": {"color": "#d55e00", "dash": [], "right": true}
  }
};
