/** Stands in for react-devtools-core in the bundle (Ink loads it only under DEV=true, never in sn11). */
export default { initialize() {}, connectToDevTools() {} };
