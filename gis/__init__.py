"""Analysis library of the housing-project GIS planner.

Pure functions over GeoDataFrames; no Flask in here. The web app and the CLI
build on it.
"""
