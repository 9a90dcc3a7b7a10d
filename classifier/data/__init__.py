"""Hand-written training fragments and the generator that composes them into the corpus."""
