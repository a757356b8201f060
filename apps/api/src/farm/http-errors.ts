// Every error leaves the API as JSON { statusCode, message, field? }.
import {
  ArgumentsHost,
  BadRequestException,
  Catch,
  HttpException,
  HttpStatus,
  NotFoundException,
  type ExceptionFilter,
} from '@nestjs/common';
import type { Response } from 'express';
import { SweepValidationError } from '@mklab/farm';

/** A 400 that names the offending field. */
export class FieldError extends BadRequestException {
  constructor(readonly field: string, message: string, readonly errors?: { field: string; message: string }[]) {
    super({ statusCode: 400, message, field, ...(errors && errors.length > 1 ? { errors } : {}) });
  }
}

export function notFound(what: string, id: string): NotFoundException {
  return new NotFoundException({ statusCode: 404, message: `no ${what} '${id}'` });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(s: string): boolean {
  return UUID.test(s);
}

@Catch()
export class FarmErrorFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    if (exception instanceof SweepValidationError) {
      res.status(400).json({
        statusCode: 400,
        message: exception.message,
        field: exception.field,
        ...(exception.errors.length > 1 ? { errors: exception.errors } : {}),
      });
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body && 'statusCode' in body && 'message' in body && !Array.isArray((body as any).message)) {
        res.status(status).json(body);
        return;
      }
      const message = typeof body === 'string' ? body : Array.isArray((body as any)?.message) ? (body as any).message.join('; ') : exception.message;
      res.status(status).json({ statusCode: status, message });
      return;
    }
    console.error('[api]', exception);
    res.status(HttpStatus.INTERNAL_SERVER_ERROR).json({ statusCode: 500, message: (exception as Error)?.message ?? 'internal error' });
  }
}
