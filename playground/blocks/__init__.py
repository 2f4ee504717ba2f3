"""Each user's library of saved blocks (sub-graphs used as one node), merged into the editor's palette."""
