import { RfmSegment } from "../../../gen/customeranalytics/v1/segmentation_pb.js";

/** How each RFM segment is shown: its name and a colour from "doing well" to "slipping away". */
export const SEGMENT_LOOK: ReadonlyMap<RfmSegment, { name: string; colour: string }> = new Map([
  [RfmSegment.CHAMPIONS, { name: "Champions", colour: "#059669" }],
  [RfmSegment.LOYAL_CUSTOMERS, { name: "Loyal customers", colour: "#0d9488" }],
  [RfmSegment.POTENTIAL_LOYALISTS, { name: "Potential loyalists", colour: "#0284c7" }],
  [RfmSegment.NEW_CUSTOMERS, { name: "New customers", colour: "#4f46e5" }],
  [RfmSegment.PROMISING, { name: "Promising", colour: "#7c3aed" }],
  [RfmSegment.NEED_ATTENTION, { name: "Need attention", colour: "#d97706" }],
  [RfmSegment.ABOUT_TO_SLEEP, { name: "About to sleep", colour: "#ea580c" }],
  [RfmSegment.AT_RISK, { name: "At risk", colour: "#e11d48" }],
  [RfmSegment.CANT_LOSE, { name: "Can't lose them", colour: "#be123c" }],
  [RfmSegment.HIBERNATING, { name: "Hibernating", colour: "#64748b" }],
]);

/** A segment's look; unscored customers are grey. */
export function segmentLook(segment: RfmSegment): { name: string; colour: string } {
  return SEGMENT_LOOK.get(segment) ?? { name: "Not scored", colour: "#94a3b8" };
}
