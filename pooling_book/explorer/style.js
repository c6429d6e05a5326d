// The explorer's stylesheet. The colours come from pooling_book.drawing.palette (the
// "palette" trait): one palette for the figures and the explorer; a missing colour is an error.
export function css(pal) {
  const c = (k) => {
    if (!pal[k]) throw new Error(`pooling explorer: palette colour ${k} missing`);
    return pal[k];
  };
  return `
.pooling-explorer{--pe-cell:44px;color:${c("TEXT")};font-size:0.9rem;max-width:100%;overflow:hidden}
.pooling-explorer [hidden]{display:none!important}
.pe-root{display:flex;flex-direction:column}
.pooling-explorer .pe-title{font-weight:600;margin:0 0 .3em}
.pe-toolbar{display:flex;flex-wrap:wrap;gap:.3em 1em;align-items:center;margin:.3em 0}
.pe-controls{display:flex;flex-wrap:wrap;gap:.3em 1em;align-items:center}
.pe-toolbar>.pe-controls{display:contents}
.pe-more{flex-basis:100%}
.pe-more:not([open]){flex-basis:auto}
.pe-more>summary{cursor:pointer;min-height:28px;line-height:28px}
.pe-more[open]>.pe-controls{margin:.3em 0 .5em}
.pe-field{display:flex;align-items:center;gap:.4em;flex-wrap:wrap;margin:0}
.pe-part{display:inline-flex;align-items:center;gap:.4em}
.pe-toolbar input[type=range]{width:120px;min-width:120px}
.pooling-explorer .pe-toolbar input[type=number]{width:3.6em}
.pooling-explorer .pe-toolbar input[name=divisor_override]{width:4.8em}
.pe-player{display:flex;gap:.4em;align-items:center}
.pe-player button{min-width:36px;min-height:34px}
.pe-drawing{display:flex;flex-direction:column;gap:.4em}
.pe-shape{display:flex;flex-wrap:wrap;gap:.3em 1em;align-items:center}
.pooling-explorer .pe-shape input[type=number]{width:3.6em}
.pe-target-note:empty,.pe-size-note:empty{display:none}
.pe-size-note{font-style:italic}
.pe-grids{display:flex;flex-wrap:wrap;gap:1.2em;align-items:flex-start}
.pe-panel{max-width:100%}
.pe-scroll{max-width:100%;overflow:auto;padding:4px}
.pe-stage{position:relative;width:max-content}
.pe-caption{margin:.2em 0;font-style:italic}
.pe-hint{margin:0}
.pe-grid{display:grid;gap:2px;width:max-content;contain:layout paint}
.pe-grid:focus{outline:3px solid ${c("ACCENT")};outline-offset:2px}
.pe-grid.pe-small{--pe-cell:24px;font-size:.6rem}
.pe-cell,.pe-idx{height:var(--pe-cell);padding:0 .2em;line-height:calc(var(--pe-cell) - 2px);text-align:center;white-space:nowrap;box-sizing:border-box;font-variant-numeric:tabular-nums;overflow:hidden}
.pe-cell{border:1px solid ${c("GRID_EDGE")};background:${c("CELL_FILL")};cursor:pointer}
.pe-idx{font-size:.8em;min-width:1.6em;border:1px solid transparent}
.pe-idx.pe-neg{font-style:italic}
/* the column indices' row (and its corner) is a line of text, not a row of cells */
.pe-idx[data-axis=col],.pe-grid>.pe-idx:first-child{height:1.6em;line-height:1.6em}
.pe-pad{border-style:dashed;background:${c("PAD_FILL")};font-style:italic}
.pe-beyond{border:1px dotted ${c("CROSS")};background:transparent}
.pe-read{background:${c("ACCENT_FILL")};border:2px solid ${c("ACCENT")}}
.pe-pad.pe-read{border-style:dashed}
.pe-beyond.pe-read{border:2px dotted ${c("CROSS")};background:transparent}
.pe-gap{background:repeating-linear-gradient(45deg,${c("CELL_FILL")} 0 4px,${c("FAINT")} 4px 6px)}
.pe-winner{font-weight:700;background:${c("ACCENT_LIGHT")}}
.pe-editing{outline:3px solid ${c("NATIVE")}}
.pe-hover{outline:3px solid ${c("NATIVE")};outline-offset:-3px}
.pe-out{background:${c("OUTPUT_FILL")}}
.pe-current{background:${c("ACCENT_FILL")};border:2px solid ${c("ACCENT")};font-weight:700}
.pe-changed{outline:3px solid ${c("NATIVE")};outline-offset:-3px}
.pe-reader{outline:3px solid ${c("NATIVE")};outline-offset:-3px}
.pe-current.pe-reader{outline-offset:-6px}
.pe-window{position:absolute;border:3px solid ${c("ACCENT")};border-radius:3px;pointer-events:none;box-sizing:border-box;transition:left .18s ease-out,top .18s ease-out,width .18s ease-out,height .18s ease-out}
@media (prefers-reduced-motion:reduce){.pe-window{transition:none}}
.pe-edit{display:flex;gap:.4em;align-items:center;margin:.2em 0}
.pe-edit input{width:6em}
.pe-arith{display:flex;flex-wrap:wrap;align-items:center;gap:.3em 1em}
.pe-kform{display:inline-flex;align-items:center;gap:.3em;font-size:.95em}
.pe-kgrid{border-collapse:separate;border-spacing:1px;border-left:2px solid ${c("TEXT")};border-right:2px solid ${c("TEXT")};padding:0 2px}
.pe-kgrid td{padding:0 .35em;text-align:center;font-variant-numeric:tabular-nums}
.pe-kgrid .pe-kpad{font-style:italic;background:${c("PAD_FILL")}}
.pe-kgrid .pe-kwin{font-weight:700;background:${c("ACCENT_LIGHT")}}
.pe-error{color:${c("BAD")};font-weight:600;margin:.3em 0}
.pe-error:empty{display:none}
.pe-math,.pe-alt{margin:.2em 0;overflow-wrap:anywhere}
.pe-text>summary{cursor:pointer}
.pe-call{white-space:pre-wrap;overflow-wrap:anywhere;font-size:.85em;margin:.3em 0}
.pe-none{white-space:nowrap;font-style:italic}
.pe-predict{display:flex;flex-wrap:wrap;gap:.4em 1em;align-items:center;margin:.3em 0;padding:.3em .5em;border-left:4px solid ${c("ACCENT")}}
.pe-predict input{width:7em;min-height:32px}
.pe-predict button{min-height:32px}
.pe-feedback:empty{display:none}
.pe-nw,.pe-kgrid td{white-space:nowrap}
.pe-predict .pe-next{font-weight:700;border:2px solid ${c("ACCENT")}}
@media (max-width:600px){
/* a phone: the grids, then the controls right under them (a drag and what it changes in
   one view), then the arithmetic, the formula and the text */
.pe-drawing{display:contents}
.pe-error,.pe-shape,.pe-hint,.pe-grids,.pe-predict{order:1}
.pe-toolbar{order:2}
.pe-arith,.pe-formula,.pe-root>.pe-math{order:3;margin:.2em 0}
.pe-text{order:4}
.pooling-explorer select,.pooling-explorer input[type=number],.pooling-explorer input[type=range],.pe-predict input,.pe-predict button{min-height:44px}
.pe-player button{min-width:44px;min-height:44px}
.pooling-explorer input[type=checkbox]{width:28px;height:44px;margin:0}
.pe-more>summary{min-height:44px;line-height:44px}
}
.pe-ok{color:${c("OK")}}
.pe-bad{color:${c("BAD")}}
`;
}
