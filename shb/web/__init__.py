"""The Streamlit seam: URL and session state, controls, page bodies, the import page, login, serving."""
