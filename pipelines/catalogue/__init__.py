"""The catalogue-content side of publishing: what the public meets in CKAN besides the
files (IRIs for DCAT, resource order, the DataStore rows, the linked data), and the
checks of CKAN's DCAT against the official shapes and the MQA points."""
