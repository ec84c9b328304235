// Leaflet (loaded by a classic <script>) as an ES module, for modules that import "leaflet".
/* global L */
export default L;
