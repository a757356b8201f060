import { Controller, Get, Header, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import * as path from 'node:path';
import { findChartJsUmd, findPublicDir, listAssets } from './public-assets';

// The dashboard's pages: plain HTML files whose small ES modules read the REST API
// (/api/...) in the browser. Every bit of view state is in the URL, so the server only
// hands out files; see docs/design/page-*.md for what each page shows.
@ApiExcludeController()
@Controller()
export class DashboardController {
  private readonly publicDir = findPublicDir();
  private readonly chartJs = findChartJsUmd();
  private readonly scripts = listAssets(path.join(this.publicDir, 'js'), ['.js']);
  private readonly styles = listAssets(path.join(this.publicDir, 'css'), ['.css']);

  @Get()
  sweepsPage(@Res() res: Response): void {
    this.sendPage(res, 'index.html');
  }

  @Get('sweeps/:id')
  sweepPage(@Res() res: Response): void {
    this.sendPage(res, 'sweep.html');
  }

  @Get('views/getpid')
  getpidPage(@Res() res: Response): void {
    this.sendPage(res, 'getpid.html');
  }

  @Get('views/fig6')
  fig6Page(@Res() res: Response): void {
    this.sendPage(res, 'fig6.html');
  }

  @Get('runs/:id')
  runPage(@Res() res: Response): void {
    this.sendPage(res, 'run.html');
  }

  @Get('assets/vendor/chart.umd.min.js')
  @Header('Cache-Control', 'public, max-age=3600')
  chartJsBundle(@Res() res: Response): void {
    res.type('text/javascript').sendFile(this.chartJs);
  }

  @Get('assets/js/:file')
  script(@Param('file') file: string, @Res() res: Response): void {
    res.type('text/javascript').sendFile(this.asset(this.scripts, file));
  }

  @Get('assets/css/:file')
  style(@Param('file') file: string, @Res() res: Response): void {
    res.type('text/css').sendFile(this.asset(this.styles, file));
  }

  private sendPage(res: Response, name: string): void {
    res.type('text/html').sendFile(path.join(this.publicDir, name));
  }

  // Only files listed at start-up are served: no path from the URL reaches the disk.
  private asset(assets: Map<string, string>, file: string): string {
    const found = assets.get(file);
    if (!found) throw new NotFoundException(`no dashboard asset ${file}`);
    return found;
  }
}
