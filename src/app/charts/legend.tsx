/** Legend labels in the ink colour (recharts colours them like their series, which can be too light to read). */
export const inkLegend = (value: string) => <span className="legend-text">{value}</span>;
