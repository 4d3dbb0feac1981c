"""The dataset: the embedded pyoxigraph store (its graphs and entailment), a remote SPARQL store,
labels, descriptions, VoID, the service description and the text index."""
