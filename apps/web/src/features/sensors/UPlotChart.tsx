/**
 * The readings chart on uPlot (a canvas): made when mounted, fed new data in place while the
 * series stay the same, made afresh when they change (raw ↔ buckets, another metric), sized to
 * its container, destroyed on unmount. The numbers themselves are also in ReadingsTable, for
 * screen readers and for the component tests (happy-dom has no canvas; the browser test checks
 * the drawing).
 */
import { useEffect, useRef } from "react"
import uPlot from "uplot"
import "uplot/dist/uPlot.min.css"
import type { ChartData } from "./ReadingSeries"

export interface UPlotChartProps {
  readonly data: ChartData
  /** Names the canvas for assistive technology (the table carries the numbers). */
  readonly label: string
  readonly height?: number
}

const STROKES = ["#0b5fff", "#8aa9e6", "#e07b39"] as const

const alignedData = (data: ChartData): uPlot.AlignedData =>
  [data.xs as Array<number>, ...data.series.map((s) => s.values as Array<number>)]

const shapeOf = (data: ChartData) => `${data.metric}|${data.bucket}|${data.series.map((s) => s.label).join("|")}`

const optionsFor = (data: ChartData, width: number, height: number): uPlot.Options => ({
  width,
  height,
  scales: { x: { time: true } },
  series: [
    { label: "Time" },
    ...data.series.map((s, i) => ({
      label: s.label,
      stroke: STROKES[i % STROKES.length]!,
      width: i === 0 ? 2 : 1,
      ...(i === 0 ? {} : { dash: [4, 4] }),
      points: { show: data.xs.length < 60 }
    }))
  ],
  axes: [{}, { label: data.series[0]?.label ?? "" }],
  legend: { live: true }
})

export const UPlotChart = ({ data, label, height = 280 }: UPlotChartProps) => {
  const containerRef = useRef<HTMLDivElement>(null)
  const plotRef = useRef<uPlot | undefined>(undefined)
  const shapeRef = useRef<string>("")

  useEffect(() => {
    const container = containerRef.current
    if (container === null) return
    const shape = shapeOf(data)
    if (plotRef.current !== undefined && shapeRef.current === shape) {
      plotRef.current.setData(alignedData(data))
      return
    }
    plotRef.current?.destroy()
    const width = Math.max(320, container.clientWidth || 640)
    plotRef.current = new uPlot(optionsFor(data, width, height), alignedData(data), container)
    shapeRef.current = shape
  }, [data, height])

  useEffect(() => {
    const container = containerRef.current
    if (container === null || typeof ResizeObserver === "undefined") return
    const observer = new ResizeObserver(() => {
      const width = container.clientWidth
      if (width > 0) plotRef.current?.setSize({ width, height })
    })
    observer.observe(container)
    return () => observer.disconnect()
  }, [height])

  useEffect(() => () => {
    plotRef.current?.destroy()
    plotRef.current = undefined
  }, [])

  return <div ref={containerRef} className="chart" role="img" aria-label={label} data-points={data.xs.length} />
}
