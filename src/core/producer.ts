/** Who wrote a snapshot. Kept equal to package.json's name and version (a unit test checks). */
export const PRODUCER_NAME = "loss-landscape-lab";
export const PRODUCER_VERSION = "0.1.0";
