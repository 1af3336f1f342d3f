/** Posture: what Holdfast knows about each device turned into compliance, risk and recommendations. */
package dev.holdfast.posture;
